import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, DIST_DIR } from "../scripts/build";
import { CONSOLE_DIST } from "./console-routes";

/**
 * The production artifact: `pnpm --filter @tenantry/server build`, then plain `node dist/main.js` and
 * `node dist/cli.js`, no TypeScript loader, started from elsewhere than the repo. Runs once (a unit
 * test by name): the bundle is the same whichever database it later meets; PGlite is the default.
 */
const MAIN = join(DIST_DIR, "main.js");
const CLI = join(DIST_DIR, "cli.js");
const API_KEY = `tnt_sk_${"b".repeat(40)}`;
const ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");

let workDir: string;
let env: Record<string, string>;

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function node(script: string, args: string[], extra: Record<string, string> = {}): Run {
  // cwd outside the repo: nothing may depend on where the process starts.
  const child = spawn(process.execPath, [script, ...args], {
    cwd: workDir,
    env: { ...env, ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    output += chunk;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  await buildServer();
  workDir = mkdtempSync(join(tmpdir(), "tenantry-dist-"));
  env = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "production",
    TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
    TENANTRY_DATA_DIR: join(workDir, "data"),
    TENANTRY_BOOTSTRAP_API_KEY: API_KEY,
    TENANTRY_REFRESH_INTERVAL_SECONDS: "0",
    LOG_LEVEL: "warn",
  };
}, 60_000);
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("the production build", () => {
  it("is plain JavaScript with the workspace packages inside and npm packages outside", () => {
    for (const file of [MAIN, CLI]) {
      const code = readFileSync(file, "utf8");
      expect(code).not.toMatch(/from\s*"@tenantry\//);
      expect(code).toMatch(/from\s*"drizzle-orm"/);
      expect(code).toContain(`//# sourceMappingURL=${file.endsWith("main.js") ? "main" : "cli"}.js.map`);
      expect(existsSync(`${file}.map`)).toBe(true);
    }
    expect(existsSync(join(DIST_DIR, "migrations", "meta", "_journal.json"))).toBe(true);
  });

  it("finds the console's build from dist/ where it does from src/", () => {
    // console-routes.ts resolves `../../console/dist/` from its own URL; in the bundle that URL is main.js.
    expect(readFileSync(MAIN, "utf8")).toContain('new URL("../../console/dist/", import.meta.url)');
    expect(fileURLToPath(new URL("../../console/dist/", pathToFileURL(MAIN)))).toBe(CONSOLE_DIST);
  });

  it("serves the API with `node dist/main.js` on PGlite, then `node dist/cli.js` uses the same data", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = node(MAIN, [], { PORT: String(port) });
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const health = await fetch(`${url}/healthz`).catch(() => null);
        if (health?.status === 200) break;
        if (server.child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`the built server did not become healthy:\n${server.output()}`);
        }
        await delay(50);
      }
      expect(server.output()).toContain(`Tenantry 0.1.0 is ready at ${url}`);

      const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
      const created = await fetch(`${url}/api/v1/tenants`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "Built Corp", internalId: "built-1" }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const read = await fetch(`${url}/api/v1/tenants/${id}`, { headers });
      expect(read.status).toBe(200);
      expect(await read.json()).toMatchObject({ id, name: "Built Corp", internalId: "built-1" });

      const home = await fetch(url);
      expect(home.status).toBe(200);
      if (existsSync(join(CONSOLE_DIST, "index.html"))) {
        expect(await home.text()).toBe(readFileSync(join(CONSOLE_DIST, "index.html"), "utf8"));
      }
    } finally {
      if (server.child.exitCode === null) server.child.kill("SIGTERM");
    }
    expect(await server.exited).toBe(0);

    // The server has let go of the data dir; the CLI migrates (nothing left to do) and writes.
    const createKey = node(CLI, ["create-api-key", "--name", "x"]);
    expect(await createKey.exited, createKey.output()).toBe(0);
    expect(createKey.output()).toMatch(/Created API key \S+ \(x\); shown only this once:\s+tnt_sk_/);
  }, 180_000);
});
