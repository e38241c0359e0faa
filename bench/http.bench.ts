import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCaller, createContext } from "@tenantry/api";
import {
  bootstrapDefaultWorkspace,
  createApiKey,
  createKeyring,
  parseKeyMaterial,
} from "@tenantry/api/server-runtime";
import { PERMISSIONS } from "@tenantry/contracts/permissions";
import { createDb } from "@tenantry/db/create-db";
import { newId } from "@tenantry/db/ids";
import { memberships, roleBindings, roles, users } from "@tenantry/db/schema/members";
import { withDatabase } from "@tenantry/db/test-database";
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import { SignJWT } from "jose";
import postgres from "postgres";

/**
 * Issue 17: the HTTP layer's overhead on reads and on the hot tenant's usage record, as a ratio to a
 * floor measured in the same round. The real built server (`node apps/server/dist/main.js`,
 * NODE_ENV=production, PostgreSQL) and the floor (bench/http-floor.ts: node:http + postgres.js, the
 * same queries, no auth) run as their own processes; autocannon runs here, in a third one. Scenarios
 * are interleaved: each round measures every floor and every Tenantry path once, so machine load
 * falls on all alike. Misses are reported, not failed; errors (a non-2xx answer, a usage total that
 * is not exact) make the run fail.
 *
 *   BENCH_HTTP_ROUNDS (3), BENCH_HTTP_SECONDS (10), BENCH_HTTP_TENANTS (2000),
 *   BENCH_HTTP_WARMUP_SECONDS (2), BENCH_HTTP_ONLY (comma-separated scenario names),
 *   BENCH_HTTP_CPU_PROF (a directory: the server writes a V8 CPU profile there on exit),
 *   DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres).
 */
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const TENANTS = Number(process.env.BENCH_HTTP_TENANTS ?? 2000);
const WARMUP_SECONDS = Number(process.env.BENCH_HTTP_WARMUP_SECONDS ?? 2);
const ONLY = process.env.BENCH_HTTP_ONLY?.split(",").map((s) => s.trim());
const CPU_PROF = process.env.BENCH_HTTP_CPU_PROF;
const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const MEMBERS = 50;
const READ_CONNECTIONS = 10;
const USAGE_CONNECTIONS = 16;
const USAGE_AMOUNT = 1;
const READ_TARGET = 0.6;
const USAGE_TARGET_RATIO = 0.5;
const USAGE_TARGET_RATE = 2000;

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");
const errors: string[] = [];

// 1. The production build, as README's "Running in production" makes it.
const built = spawnSync(process.execPath, ["--import", "tsx", "apps/server/scripts/build.ts"], {
  cwd: repo,
  stdio: "inherit",
});
if (built.status !== 0) throw new Error("the server build failed");

// 2. A fresh database, seeded here (the server migrates it again at start: nothing to do).
const databaseName = `tenantry_bench_http_${randomBytes(5).toString("hex")}`;
const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${databaseName}`);
const databaseUrl = withDatabase(SERVER_URL, databaseName);
const children: ChildProcess[] = [];
const workDir = mkdtempSync(join(tmpdir(), "tenantry-bench-http-"));

try {
  await run();
} catch (error) {
  errors.push(`the bench failed: ${(error as Error).stack ?? error}`);
} finally {
  for (const child of children) {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await Promise.race([once(child, "exit"), new Promise((r) => setTimeout(r, 5000))]);
    }
  }
  await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
  await admin.end();
  rmSync(workDir, { recursive: true, force: true });
}
if (errors.length > 0) {
  console.error(`\n${errors.length} error(s):\n${errors.map((e) => `- ${e}`).join("\n")}`);
  process.exit(1);
}

interface Scenario {
  name: string;
  /** The floor scenario this one is a ratio to; none for floors. */
  floor?: string;
  target: string;
  url: () => string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  usage?: boolean;
}

interface Row {
  round: number;
  name: string;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  ratio: number | null;
  /** CPU time per answered request: the serving process, and the database's backends for this database. */
  appCpuUs: number;
  dbCpuUs: number;
  load: string;
}

/** utime + stime of a process, in microseconds (0 when it is gone). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, in clock ticks of 10 ms (CLK_TCK is 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

async function run(): Promise<void> {
  const encryptionKey = randomBytes(32).toString("base64");
  const keyring = await createKeyring(parseKeyMaterial(encryptionKey));
  const handle = await createDb({ databaseUrl, poolSize: 4 });
  const { db } = handle;
  const { workspaceId } = await bootstrapDefaultWorkspace(db);
  const { key } = await createApiKey(db, { workspaceId, name: "bench" });
  const api = createCaller(
    createContext({ db, keyring, header: (n) => (n === "x-api-key" ? key : undefined) }),
  );

  const seedStarted = performance.now();
  const tenantIds: string[] = [];
  for (let start = 0; start < TENANTS; start += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, TENANTS - start) }, (_, j) =>
        api.tenants.create({ name: `Tenant ${start + j}`, internalId: `host-${start + j}` }),
      ),
    );
    tenantIds.push(...batch.map((t) => t.id));
  }
  const readTenant = tenantIds[Math.floor(tenantIds.length / 2)]!;
  const team = await api.tenants.create({ name: "Team", internalId: "team" });
  const hot = await api.tenants.create({ name: "Hot", aiCreditsRolling30DayLimit: 10_000_000_000 });

  // The team's members: a page of them, each with a role that may read members.
  const roleId = newId("role");
  await db.insert(roles).values({
    workspaceId,
    id: roleId,
    key: "reader",
    name: "Reader",
    permissions: PERMISSIONS.filter((p) => p.endsWith(":read")),
  });
  const userIds = Array.from({ length: MEMBERS }, () => newId("user"));
  await db.insert(users).values(
    userIds.map((id, n) => ({
      workspaceId,
      id,
      email: `member-${n}@example.com`,
      emailNormalized: `member-${n}@example.com`,
      firstName: `Member ${n}`,
      externalId: `member-${n}`,
    })),
  );
  await db.insert(memberships).values(
    userIds.map((userId) => ({
      workspaceId,
      id: newId("mbr"),
      tenantId: team.id,
      userId,
      status: "active" as const,
      type: "member" as const,
      joinedAt: new Date(),
    })),
  );
  await db.insert(roleBindings).values(
    userIds.map((subjectId) => ({
      workspaceId,
      id: newId("rb"),
      tenantId: team.id,
      roleId,
      subjectType: "user" as const,
      subjectId,
    })),
  );
  const signing = await api.signingKeys.create({ algorithm: "HS256" });
  const token = await new SignJWT({ user: { id: "member-7" } })
    .setProtectedHeader({ alg: "HS256", kid: signing.id })
    .setSubject("team")
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(signing.secret!));
  await db.execute(sql`create table floor_usage (tenant_id text primary key, total bigint not null)`);
  await db.execute(sql`analyze`);
  console.log(
    `seeded ${TENANTS + 2} tenants, ${MEMBERS} members, a signing key and an API key in ${(
      (performance.now() - seedStarted) / 1000
    ).toFixed(1)} s`,
  );

  // 3. The floor and the server, each its own process.
  const floor = spawn(process.execPath, ["--import", "tsx", join(here, "http-floor.ts")], {
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, FLOOR_WORKSPACE_ID: workspaceId },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(floor);
  const floorPort = await new Promise<number>((resolve, reject) => {
    floor.stdout!.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    floor.once("exit", () => reject(new Error("the floor server exited")));
  });
  const floorBase = `http://127.0.0.1:${floorPort}`;

  const port = await freePort();
  const logPath = join(workDir, "server.log");
  const log = openSync(logPath, "w");
  const server = spawn(
    process.execPath,
    [
      "--enable-source-maps",
      ...(CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", CPU_PROF] : []),
      join(repo, "apps/server/dist/main.js"),
    ],
    {
      cwd: workDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl,
        TENANTRY_ENCRYPTION_KEY: encryptionKey,
        TENANTRY_PUBLIC_URL: `http://127.0.0.1:${port}`,
        PORT: String(port),
        HOST: "127.0.0.1",
      },
      // JSON log lines to a file, as a production process writes them somewhere; the banner on stderr.
      stdio: ["ignore", log, "pipe"],
    },
  );
  children.push(server);
  closeSync(log);
  let banner = "";
  await new Promise<void>((resolve, reject) => {
    server.stderr!.on("data", (chunk: Buffer) => {
      banner += chunk;
      if (banner.includes("is ready at")) resolve();
    });
    server.once("exit", (code) => reject(new Error(`the server exited (${code}):\n${banner}`)));
  });
  const base = `http://127.0.0.1:${port}`;

  const apiKey = { authorization: `Bearer ${key}` };
  const bearer = { authorization: `Bearer ${token}` };
  const trpcGet = (path: string, input: unknown) =>
    `${base}/trpc/${path}?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: input }))}`;
  const usageBody = JSON.stringify({ metric: "ai_credits", amount: USAGE_AMOUNT });
  const json = { "content-type": "application/json" };

  const scenarios = (
    [
      {
        name: "floor: tenant by PK",
        target: "GET /tenants/{id}",
        url: () => `${floorBase}/tenants/${readTenant}`,
        connections: READ_CONNECTIONS,
      },
      {
        name: "REST tenant",
        floor: "floor: tenant by PK",
        target: "GET /api/v1/tenants/{id} (API key)",
        url: () => `${base}/api/v1/tenants/${readTenant}`,
        headers: apiKey,
        connections: READ_CONNECTIONS,
      },
      {
        name: "tRPC tenant",
        floor: "floor: tenant by PK",
        target: "tenants.get (API key, httpBatchLink GET)",
        url: () => trpcGet("tenants.get", { id: readTenant }),
        headers: apiKey,
        connections: READ_CONNECTIONS,
      },
      {
        name: "REST /me",
        floor: "floor: tenant by PK",
        target: "GET /api/v1/me (access token)",
        url: () => `${base}/api/v1/me`,
        headers: bearer,
        connections: READ_CONNECTIONS,
      },
      {
        name: "tRPC /me",
        floor: "floor: tenant by PK",
        target: "accessTokens.me (access token, httpBatchLink GET)",
        url: () => trpcGet("accessTokens.me", undefined),
        headers: bearer,
        connections: READ_CONNECTIONS,
      },
      {
        name: "floor: member list",
        target: "GET /tenants/{id}/members",
        url: () => `${floorBase}/tenants/${team.id}/members`,
        connections: READ_CONNECTIONS,
      },
      {
        name: "REST members",
        floor: "floor: member list",
        target: "GET /api/v1/tenants/{id}/memberships (access token)",
        url: () => `${base}/api/v1/tenants/${team.id}/memberships`,
        headers: bearer,
        connections: READ_CONNECTIONS,
      },
      {
        name: "tRPC members",
        floor: "floor: member list",
        target: "members.list (access token, httpBatchLink GET)",
        url: () => trpcGet("members.list", { tenantId: team.id }),
        headers: bearer,
        connections: READ_CONNECTIONS,
      },
      {
        name: "floor: usage upsert",
        target: "POST /tenants/{id}/usage, one upsert",
        url: () => `${floorBase}/tenants/${hot.id}/usage`,
        method: "POST",
        headers: json,
        body: usageBody,
        connections: USAGE_CONNECTIONS,
        usage: true,
      },
      {
        name: "REST usage",
        floor: "floor: usage upsert",
        target: "POST /api/v1/tenants/{id}/usage (API key)",
        url: () => `${base}/api/v1/tenants/${hot.id}/usage`,
        method: "POST",
        headers: { ...apiKey, ...json },
        body: usageBody,
        connections: USAGE_CONNECTIONS,
        usage: true,
      },
    ] satisfies Scenario[] as Scenario[]
  ).filter(
    (s, _, all) =>
      !ONLY ||
      ONLY.includes(s.name) ||
      all.some((other) => other.floor === s.name && ONLY.includes(other.name)),
  );

  // Every path answers 2xx before anything is measured.
  for (const s of scenarios) {
    const response = await fetch(s.url(), {
      method: s.method ?? "GET",
      headers: s.headers ?? {},
      body: s.body ?? null,
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${s.name} answered ${response.status}: ${text}`);
  }

  const direct = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  /** The database's server processes serving the floor's and the server's connections. */
  const backendPids = async (): Promise<number[]> =>
    (
      await direct`select pid from pg_stat_activity where datname = ${databaseName} and pid <> pg_backend_pid()`
    ).map((row) => Number(row.pid));
  const usageTotal = async (s: Scenario): Promise<number> => {
    if (s.name.startsWith("floor")) {
      const [row] =
        await direct`select coalesce(sum(total), 0) as total from floor_usage where tenant_id = ${hot.id}`;
      return Number(row!.total);
    }
    return (await api.usage.get({ tenantId: hot.id, metric: "ai_credits" })).used;
  };
  // Usage runs send a fixed number of records (from the warm-up's rate) so none is cut off in flight
  // when the time is up: the total must then be exactly the accepted records times the amount.
  const usageAmount = new Map<string, number>();

  console.log(
    `\nwarm-up: ${WARMUP_SECONDS} s each; then ${ROUNDS} rounds × ${SECONDS} s per scenario, load ${loadText()}`,
  );
  for (const s of scenarios) {
    const result = await load(s, { duration: WARMUP_SECONDS });
    if (s.usage) {
      const rate = result.requests.total / result.duration;
      usageAmount.set(s.name, Math.max(200, Math.round(rate * SECONDS)));
    }
  }
  const rows: Row[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const floors = new Map<string, number>();
    for (const s of scenarios) {
      const before = s.usage ? await usageTotal(s) : 0;
      const appPid = s.name.startsWith("floor") ? floor.pid! : server.pid!;
      const backends = await backendPids();
      const appCpuBefore = cpuOf(appPid);
      const dbCpuBefore = backends.reduce((sum, pid) => sum + cpuOf(pid), 0);
      const started = performance.now();
      const result = s.usage
        ? await load(s, { amount: usageAmount.get(s.name)! })
        : await load(s, { duration: SECONDS });
      const seconds = s.usage ? (performance.now() - started) / 1000 : result.duration;
      const ok = result["2xx"];
      const appCpu = cpuOf(appPid) - appCpuBefore;
      const dbCpu = backends.reduce((sum, pid) => sum + cpuOf(pid), 0) - dbCpuBefore;
      const bad = result.non2xx + result.errors + result.timeouts;
      if (bad > 0) {
        errors.push(
          `${s.name} round ${round}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
        );
      }
      if (s.usage) {
        const after = await usageTotal(s);
        if (after - before !== ok * USAGE_AMOUNT) {
          errors.push(
            `${s.name} round ${round}: the total grew by ${after - before}, but ${ok} records × ${USAGE_AMOUNT} were accepted`,
          );
        } else {
          console.log(
            `${s.name} round ${round}: total grew by ${after - before} = ${ok} accepted × ${USAGE_AMOUNT}: exact`,
          );
        }
        // The next round sends about SECONDS' worth at this round's rate.
        usageAmount.set(s.name, Math.max(200, Math.round((ok / seconds) * SECONDS)));
      }
      const rps = ok / seconds;
      if (!s.floor) floors.set(s.name, rps);
      const floorRps = s.floor ? floors.get(s.floor) : undefined;
      const row: Row = {
        round,
        name: s.name,
        rps,
        p50: result.latency.p50,
        p99: result.latency.p99,
        requests: ok,
        ratio: floorRps ? rps / floorRps : null,
        appCpuUs: ok ? appCpu / ok : 0,
        dbCpuUs: ok ? dbCpu / ok : 0,
        load: loadText(),
      };
      rows.push(row);
      console.log(
        `round ${round}  ${s.name.padEnd(20)} ${Math.round(rps).toString().padStart(6)} req/s  p50 ${row.p50} ms  p99 ${row.p99} ms${
          row.ratio === null ? "" : `  ratio ${row.ratio.toFixed(2)}`
        }  cpu/req ${Math.round(row.appCpuUs)} µs + db ${Math.round(row.dbCpuUs)} µs  load ${row.load}`,
      );
    }
  }
  report(scenarios, rows);
  await direct.end();
  await handle.close();
}

function load(s: Scenario, limit: { duration: number } | { amount: number }): Promise<autocannon.Result> {
  return autocannon({
    url: s.url(),
    method: s.method ?? "GET",
    headers: s.headers ?? {},
    ...(s.body ? { body: s.body } : {}),
    connections: s.connections,
    pipelining: 1,
    ...limit,
  });
}

function loadText(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function report(scenarios: Scenario[], rows: Row[]): void {
  console.log(`\n## HTTP at the floor: ${ROUNDS} rounds × ${SECONDS} s, autocannon on loopback\n`);
  console.log(
    "| round | what | req/s | p50 ms | p99 ms | ratio to floor | process CPU µs/req | database CPU µs/req | load average |",
  );
  console.log("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const r of rows) {
    console.log(
      `| ${r.round} | ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${
        r.ratio === null ? "floor" : r.ratio.toFixed(2)
      } | ${Math.round(r.appCpuUs)} | ${Math.round(r.dbCpuUs)} | ${r.load} |`,
    );
  }
  console.log("\n## Median of the rounds, against the targets\n");
  console.log("| what | path | req/s | p50 ms | p99 ms | ratio | CPU µs/req (process + db) | target | |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |");
  for (const s of scenarios) {
    const mine = rows.filter((r) => r.name === s.name);
    const rps = median(mine.map((r) => r.rps));
    const ratio = s.floor ? median(mine.map((r) => r.ratio!)) : null;
    let target = "";
    let verdict = "";
    if (s.floor && s.usage) {
      target = `≥ ${USAGE_TARGET_RATE}/s and ≥ ${USAGE_TARGET_RATIO}`;
      verdict = rps >= USAGE_TARGET_RATE && ratio! >= USAGE_TARGET_RATIO ? "met" : "**missed**";
    } else if (s.floor) {
      target = `≥ ${READ_TARGET}`;
      verdict = ratio! >= READ_TARGET ? "met" : "**missed**";
    }
    console.log(
      `| ${s.name} | ${s.target} | ${Math.round(rps)} | ${median(mine.map((r) => r.p50))} | ${median(
        mine.map((r) => r.p99),
      )} | ${ratio === null ? "floor" : ratio.toFixed(2)} | ${Math.round(median(mine.map((r) => r.appCpuUs)))} + ${Math.round(
        median(mine.map((r) => r.dbCpuUs)),
      )} | ${target} | ${verdict} |`,
    );
  }
  console.log(`\nload average at the end: ${loadText()}`);
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, "close");
  return port;
}
