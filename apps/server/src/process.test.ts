import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testDriver, withDatabase } from "@tenantry/db/test-database";
import { appSettingsFor, startProviderProcess } from "@tenantry/oauth-provider/process";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthBrowser } from "./testing/oauth-browser";
import { freePort, runScript, type ServerRun, startServerProcess } from "./testing/server-process";

/**
 * The real server and CLI as separate processes, the way `pnpm start` and operators run them.
 * On PGlite: configuration, first start, restart, the data-dir lock, graceful shutdown, the CLI.
 * On PostgreSQL: several processes on one database behave as one.
 */
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

type Run = ServerRun;

/** This file's processes: the shared runner with this file's encryption key (and bootstrap key). */
const run = (script: string, args: string[], env: Record<string, string>): Run =>
  runScript(script, args, { TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY, ...env });
const startServer = (env: Record<string, string>) =>
  startServerProcess({ TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY, ...env });

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until `condition` holds, failing after `timeoutMs`. For the servers here, separate processes
 * on the real clock, this replaces sleeping for a fixed time and hoping the condition holds.
 */
async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await delay(20);
  }
}

async function stop(server: Run): Promise<number | null> {
  if (server.child.exitCode === null) server.child.kill("SIGTERM");
  return server.exited;
}

/** Each test starts real processes; a fresh PGlite data dir takes seconds to initialise on a busy machine. */
const PROCESS_TIMEOUT = 180_000;

const printedKey = (output: string) => output.match(/tnt_sk_[A-Za-z0-9_-]{32,}/)?.[0];
/** The admin key a server printed, wherever it printed it (the banner goes to stderr off a terminal). */
const keyFromBanner = (server: Run) => printedKey(server.stdout() + server.stderr());

describe.runIf(testDriver() === "pglite")("one process on the embedded database", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "tenantry-process-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ["PORT", { PORT: "not-a-port" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://somewhere" }],
    ["TENANTRY_ENCRYPTION_KEY", { TENANTRY_ENCRYPTION_KEY: "too-short" }],
    ["TENANTRY_ENCRYPTION_KEY", { NODE_ENV: "production", TENANTRY_ENCRYPTION_KEY: "" }],
  ])("stops on bad %s with one clear line", async (name, env) => {
    const server = run("src/main.ts", [], { TENANTRY_DATA_DIR: join(dataDir, "unused"), ...env });
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^tenantry: .*${name}`));
    expect(server.stdout()).toBe("");
  });

  it(
    "prints a generated key once, keeps data across restarts, locks its data dir and drains on SIGTERM",
    async () => {
      const env = { TENANTRY_DATA_DIR: dataDir };
      const first = await startServer(env);
      const key = keyFromBanner(first);
      expect(key).toBeDefined();
      const created = await fetch(`${first.url}/api/v1/tenants`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Survivor", slug: "survivor" }),
      });
      expect(created.status).toBe(201);

      // A second process on the same directory would corrupt PGlite: it must refuse, clearly.
      const second = run("src/main.ts", [], { ...env, PORT: String(await freePort()) });
      expect(await second.exited).toBe(1);
      expect(second.stderr()).toMatch(/in use by process \d+/);

      // A request still arriving when SIGTERM comes is served before the process exits.
      const body = JSON.stringify({ name: "Late arrival", slug: "late-arrival" });
      const inFlight = new Promise<number>((resolve, reject) => {
        const req = request(`${first.url}/api/v1/tenants`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${key}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          },
        });
        req.on("response", (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          first.child.kill("SIGTERM");
          setTimeout(() => req.end(body.slice(10)), 300);
        }, 300);
      });
      expect(await inFlight).toBe(201);
      expect(await first.exited).toBe(0);

      const restarted = await startServer(env);
      expect(keyFromBanner(restarted)).toBeUndefined();
      const list = await fetch(`${restarted.url}/api/v1/tenants?limit=10`, {
        headers: { authorization: `Bearer ${key}` },
      });
      const names = ((await list.json()) as { items: { name: string }[] }).items.map((t) => t.name).sort();
      expect(names).toEqual(["Late arrival", "Survivor"]);
      expect(await stop(restarted)).toBe(0);
    },
    PROCESS_TIMEOUT,
  );

  it(
    "says what is true at each start: JSON lines off a terminal, human lines on one, the banner whole",
    async () => {
      const env = { TENANTRY_DATA_DIR: join(dataDir, "banner"), LOG_LEVEL: "info" };
      // Off a terminal (a pipe, as under Docker or systemd): stdout is JSON lines and nothing else;
      // the banner, with the key shown once, is one block on stderr.
      const fresh = await startServer(env);
      const key = keyFromBanner(fresh);
      expect(key).toBeDefined();
      expect(fresh.stderr()).toContain(`\n    ${key}\n\nTenantry `);
      expect(fresh.stderr()).toContain("to set up the console: it asks once for the admin API key above");
      expect((await fetch(`${fresh.url}/api/v1/tenants`)).status).toBe(401);
      expect(await stop(fresh)).toBe(0);
      const lines = fresh.stdout().split("\n").filter(Boolean);
      const entries = lines.map((line) => JSON.parse(line) as { msg: string });
      expect(entries.map((entry) => entry.msg)).toEqual(
        expect.arrayContaining(["Tenantry is ready", "request", "shutting down"]),
      );
      expect(fresh.stdout()).not.toContain(key);

      // A restart before anyone set up the console points at the key printed at first start.
      const again = await startServer(env);
      expect(keyFromBanner(again)).toBeUndefined();
      expect(again.stderr()).toContain("it asks once for the admin API key printed at first start");
      expect(await stop(again)).toBe(0);

      // Once an operator exists, the console is for signing in: no word of the admin key.
      const operator = run("src/cli.ts", ["create-operator", "--email", "ada@host.example"], env);
      expect(await operator.exited).toBe(0);

      // At a terminal (a pseudo-terminal through script(1)): human log lines around the whole banner.
      const port = await freePort();
      const tty = spawn("script", ["-qfec", "node --import tsx src/main.ts", "/dev/null"], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        env: {
          PATH: process.env.PATH,
          SHELL: "/bin/sh",
          PORT: String(port),
          TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
          TENANTRY_REFRESH_INTERVAL_SECONDS: "0",
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let screen = "";
      tty.stdout!.on("data", (chunk) => {
        screen += chunk;
      });
      const ttyExited = once(tty, "exit");
      try {
        const deadline = Date.now() + 120_000;
        while (!screen.includes("to sign in to the console.")) {
          if (tty.exitCode !== null || Date.now() > deadline) throw new Error(`no banner:\n${screen}`);
          await delay(100);
        }
        expect((await fetch(`http://127.0.0.1:${port}/api/v1/tenants`)).status).toBe(401);
        await expect.poll(() => screen).toMatch(/\d\d:\d\d:\d\d INFO {3}request {2}requestId=/);
      } finally {
        tty.kill("SIGTERM");
        await ttyExited;
      }
      const text = screen.replaceAll("\r\n", "\n");
      expect(text).not.toContain('{"level"');
      expect(text).not.toMatch(/admin API key|set up the console/);
      expect(text).toMatch(
        new RegExp(
          `\nTenantry \\S+ is ready at http://127\\.0\\.0\\.1:${port} .*\n.*open http://127\\.0\\.0\\.1:${port} to sign in to the console\\.\n`,
          "i",
        ),
      );
    },
    PROCESS_TIMEOUT,
  );

  it(
    "makes TENANTRY_BOOTSTRAP_API_KEY the admin key and prints none",
    async () => {
      const bootstrapKey = `tnt_sk_${"b".repeat(40)}`;
      const server = await startServer({
        TENANTRY_DATA_DIR: join(dataDir, "bootstrap"),
        TENANTRY_BOOTSTRAP_API_KEY: bootstrapKey,
      });
      try {
        expect(keyFromBanner(server)).toBeUndefined();
        const ok = await fetch(`${server.url}/api/v1/tenants`, {
          headers: { authorization: `Bearer ${bootstrapKey}` },
        });
        expect(ok.status).toBe(200);
      } finally {
        expect(await stop(server)).toBe(0);
      }
    },
    PROCESS_TIMEOUT,
  );

  it(
    "runs the CLI: migrate, create-api-key, rotate-keys",
    async () => {
      const env = { TENANTRY_DATA_DIR: join(dataDir, "cli") };
      const migrate = run("src/cli.ts", ["migrate"], env);
      expect(await migrate.exited).toBe(0);
      expect(migrate.stdout()).toContain("Migrations applied.");

      const create = run("src/cli.ts", ["create-api-key", "--name", "backend"], env);
      expect(await create.exited).toBe(0);
      const key = printedKey(create.stdout());
      expect(key).toBeDefined();

      const noName = run("src/cli.ts", ["create-api-key"], env);
      expect(await noName.exited).toBe(1);
      expect(noName.stderr()).toContain("--name");

      const rotate = run("src/cli.ts", ["rotate-keys"], env);
      expect(await rotate.exited).toBe(0);
      expect(rotate.stdout()).toMatch(/Sealed \d+ secret\(s\) again/);

      const server = await startServer(env);
      try {
        const ok = await fetch(`${server.url}/api/v1/tenants`, {
          headers: { authorization: `Bearer ${key}` },
        });
        expect(ok.status).toBe(200);
      } finally {
        await stop(server);
      }
    },
    PROCESS_TIMEOUT,
  );
});

describe.runIf(testDriver() === "postgres")("several processes on one PostgreSQL database", () => {
  const name = `tenantry_procs_${Math.random().toString(36).slice(2, 10)}`;
  let admin: ReturnType<typeof postgres>;
  let databaseUrl: string;
  let servers: (Run & { url: string })[] = [];

  beforeAll(async () => {
    admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    databaseUrl = withDatabase(process.env.DATABASE_URL!, name);
  });
  afterAll(async () => {
    await Promise.all(servers.map(stop));
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  });

  it(
    "start together (migrations once), and let one of 20 concurrent same-slug creates win across them",
    async () => {
      const key = `tnt_sk_${"p".repeat(40)}`;
      const env = { DATABASE_URL: databaseUrl, TENANTRY_BOOTSTRAP_API_KEY: key };
      servers = await Promise.all([startServer(env), startServer(env)]);
      for (const server of servers) {
        const health = await fetch(`${server.url}/healthz`);
        expect(health.status).toBe(200);
      }
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(`${servers[i % 2]!.url}/api/v1/tenants`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            body: JSON.stringify({ name: `Race ${i}`, slug: "one-slug" }),
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(19);

      // What one process wrote, the other reads at once.
      const winner = (await answers.find((answer) => answer.status === 201)!.json()) as { id: string };
      for (const server of servers) {
        const read = await fetch(`${server.url}/api/v1/tenants/${winner.id}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        expect(read.status).toBe(200);
      }
    },
    PROCESS_TIMEOUT,
  );

  it(
    "keep a tenant's last owner when two processes remove its two owners at the same moment",
    async () => {
      const key = `tnt_sk_${"p".repeat(40)}`;
      if (servers.length === 0) {
        const env = { DATABASE_URL: databaseUrl, TENANTRY_BOOTSTRAP_API_KEY: key };
        servers = await Promise.all([startServer(env), startServer(env)]);
      }
      const [first, second] = servers as [Run & { url: string }, Run & { url: string }];
      const api = (server: { url: string }, method: string, path: string, body?: unknown) =>
        fetch(`${server.url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      for (let round = 0; round < 4; round++) {
        const tenant = (await (
          await api(first, "POST", "/tenants", {
            name: `Owners ${round}`,
            owner: { email: `o1-${round}@x.example` },
          })
        ).json()) as { id: string; ownerUserId: string };
        const coOwner = (await (
          await api(first, "POST", `/tenants/${tenant.id}/memberships`, {
            email: `o2-${round}@x.example`,
            status: "active",
            roles: ["owner"],
          })
        ).json()) as { userId: string };
        const answers = await Promise.all([
          api(first, "PATCH", `/tenants/${tenant.id}/memberships/${tenant.ownerUserId}`, {
            status: "suspended",
          }),
          api(second, "DELETE", `/tenants/${tenant.id}/memberships/${coOwner.userId}`),
        ]);
        expect(answers.map((answer) => answer.status).sort()).toEqual(
          answers[0]!.status === 200 ? [200, 409] : [204, 409],
        );
        const active = (await (
          await api(second, "GET", `/tenants/${tenant.id}/memberships?status=active`)
        ).json()) as { items: { roles: string[] }[] };
        expect(active.items.filter((member) => member.roles.includes("owner"))).toHaveLength(1);
      }
    },
    PROCESS_TIMEOUT,
  );

  it(
    "refresh an expiring OAuth token once, however many reads arrive at the two processes together",
    async () => {
      const provider = await startProviderProcess({ autoApprove: true });
      try {
        const key = `tnt_sk_${"p".repeat(40)}`;
        if (servers.length === 0) {
          const env = { DATABASE_URL: databaseUrl, TENANTRY_BOOTSTRAP_API_KEY: key };
          servers = await Promise.all([startServer(env), startServer(env)]);
        }
        const api = (server: { url: string }, method: string, path: string, body?: unknown) =>
          fetch(`${server.url}/api/v1${path}`, {
            method,
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
        const [first, second] = servers as [Run & { url: string }, Run & { url: string }];
        expect(
          (
            await api(first, "POST", "/apps", {
              key: "loopback",
              name: "Loopback",
              authType: "oauth2",
              oauth2: appSettingsFor(provider, ["read"]),
            })
          ).status,
        ).toBe(201);
        const tenant = (await (await api(first, "POST", "/tenants", { name: "Two Procs Co" })).json()) as {
          id: string;
        };
        await provider.configure({ accessTokenTtlSeconds: 2 });
        const created = (await (
          await api(first, "POST", `/tenants/${tenant.id}/connections`, { appKey: "loopback" })
        ).json()) as { id: string; authorizationUrl: string };
        // The browser's part: Tenantry's start URL, then the provider approves and sends it back.
        const browser = oauthBrowser(first.url);
        const callback = await browser.visit(await browser.callbackUrl(created.authorizationUrl));
        expect(callback.status).toBe(200);
        await provider.configure({ accessTokenTtlSeconds: 3600, tokenDelayMs: 300 });
        // The 2-second token is due once less than half its life is left (docs/connections.md).
        const { accessTokenExpiresAt } = (await (
          await api(first, "GET", `/connections/${created.id}`)
        ).json()) as { accessTokenExpiresAt: string };
        await until(
          "the token is due for refresh",
          () => Date.parse(accessTokenExpiresAt) - Date.now() < 900,
        );

        const before = (await provider.stats()).refreshGrants;
        const reads = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            api(servers[i % 2]!, "GET", `/connections/${created.id}/credentials`),
          ),
        );
        expect(reads.map((read) => read.status)).toEqual(Array(50).fill(200));
        const tokens = new Set(
          await Promise.all(
            reads.map(async (read) => ((await read.json()) as { accessToken: string }).accessToken),
          ),
        );
        expect(tokens.size).toBe(1);
        expect((await provider.stats()).refreshGrants - before).toBe(1);
        expect(second.stderr()).not.toContain("error");
      } finally {
        await provider.stop();
      }
    },
    PROCESS_TIMEOUT,
  );
});
