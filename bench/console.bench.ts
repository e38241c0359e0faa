import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { createOperator } from "@tenantry/api/operators";
import { bootstrapDefaultWorkspace, createApiKey } from "@tenantry/api/server-runtime";
import { createDb } from "@tenantry/db/create-db";
import { newId } from "@tenantry/db/ids";
import { scopes } from "@tenantry/db/schema/scopes";
import { tenants } from "@tenantry/db/schema/tenants";
import { CONSOLE_DIST } from "@tenantry/server/console-routes";
import { hashOperatorPassword } from "@tenantry/server/operator-passwords";
import { startServerProcess } from "@tenantry/server/testing/server-process";
import { sql } from "drizzle-orm";
import { chromium } from "playwright-core";
import { build } from "vite";

/**
 * Issue 9's console budget: its first load (every script and stylesheet the page loads, gzip -9)
 * under 250 KB, and time to interactive on the tenants list with 100,000 tenants under 1 s locally:
 * from navigation to the first page of rows rendered, in Chromium, against the real server (PGlite).
 * The console is built where the server serves it from (apps/console/dist); the server is its own
 * process (`src/main.ts`, NODE_ENV=production) on a PGlite data directory seeded here first.
 */
const TENANTS = Number(process.env.BENCH_TENANTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const BATCH = 2_000;
const consoleRoot = fileURLToPath(new URL("../apps/console/", import.meta.url));

const outDir = CONSOLE_DIST;
const built = performance.now();
await build({ configFile: `${consoleRoot}vite.config.ts`, logLevel: "silent", build: { outDir } });
const buildSeconds = (performance.now() - built) / 1000;
// The first load: what index.html names (its script, stylesheet and module preloads). Pages other
// than sign-in and the tenants list are separate chunks, loaded when first opened.
const html = readFileSync(join(outDir, "index.html"), "utf8");
// (A chunk both run and preloaded counts once.)
const assets = [
  ...new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]!)),
];
const allChunks = readdirSync(join(outDir, "assets")).filter((file) => /\.(js|css)$/.test(file));
let gzipped = 0;
let raw = 0;
for (const file of assets) {
  const bytes = readFileSync(join(outDir, file));
  raw += bytes.length;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
let everything = 0;
for (const file of allChunks)
  everything += gzipSync(readFileSync(join(outDir, "assets", file)), { level: 9 }).length;
console.log(
  `console build: ${buildSeconds.toFixed(1)} s; first load ${assets.length} files, ${(raw / 1024).toFixed(1)} KB min, ` +
    `${(gzipped / 1024).toFixed(1)} KB gzip (target < 250 KB); every page's chunks together ${(everything / 1024).toFixed(1)} KB gzip`,
);

const dataDir = mkdtempSync(join(tmpdir(), "tenantry-console-bench-"));
const handle = await createDb({ dataDir });
const { workspaceId } = await bootstrapDefaultWorkspace(handle.db);
await createApiKey(handle.db, { workspaceId, name: "bench" });
for (let start = 0; start < TENANTS; start += BATCH) {
  const rows = Array.from({ length: Math.min(BATCH, TENANTS - start) }, (_, j) => ({
    id: newId("tenant"),
    scopeId: newId("scope"),
    n: start + j,
  }));
  await handle.db
    .insert(scopes)
    .values(rows.map((r) => ({ workspaceId, id: r.scopeId, kind: "tenant" as const })));
  await handle.db.insert(tenants).values(
    rows.map((r) => ({
      workspaceId,
      id: r.id,
      scopeId: r.scopeId,
      internalId: `host-${r.n}`,
      name: `Tenant ${r.n}`,
      slug: `tenant-${r.n}`,
      planKey: r.n % 3 === 0 ? "pro" : "free",
    })),
  );
}
await handle.db.execute(sql`analyze`);
const password = "bench password for the console";
await createOperator(handle.db, {
  workspaceId,
  email: "bench@host.example",
  name: "Bench",
  passwordHash: await hashOperatorPassword(password),
});

await handle.close();

const server = await startServerProcess({
  NODE_ENV: "production",
  TENANTRY_DATA_DIR: dataDir,
  TENANTRY_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64"),
});
const publicUrl = server.url;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const signIn = await fetch(`${publicUrl}/console/session`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ email: "bench@host.example", password }),
});
const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0]!.split("=");

interface Run {
  total: number;
  /** When each request's response ended, ms after navigation start (the browser's own clock). */
  script: number;
  session: number;
  list: number;
  /** The request for the list started, ms after navigation start. */
  listStart: number;
  /** Requests for the session and for the list (one each when the early answers were used). */
  sessions: number;
  lists: number;
}

async function timeToRows(warm: boolean): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  await context.addCookies([{ name: cookie[0]!, value: cookie[1]!, url: publicUrl }]);
  const page = await context.newPage();
  if (warm)
    await page.goto(`${publicUrl}/tenants`).then(() => page.locator(".table tbody tr").first().waitFor());
  const started = performance.now();
  await page.goto(`${publicUrl}/tenants`);
  await page.locator(".table tbody tr").nth(24).waitFor();
  const total = performance.now() - started;
  const entries = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((e) => ({ name: e.name, start: e.startTime, end: (e as PerformanceResourceTiming).responseEnd })),
  );
  const find = (test: (name: string) => boolean) => entries.find((e) => test(new URL(e.name).pathname));
  const scripts = entries.filter((e) => e.name.endsWith(".js"));
  const list = find((path) => path.includes("tenants.list"));
  await context.close();
  return {
    total,
    script: Math.max(...scripts.map((e) => e.end)),
    session: find((path) => path === "/console/session")?.end ?? Number.NaN,
    list: list?.end ?? Number.NaN,
    listStart: list?.start ?? Number.NaN,
    sessions: entries.filter((e) => new URL(e.name).pathname === "/console/session").length,
    lists: entries.filter((e) => new URL(e.name).pathname.includes("tenants.list")).length,
  };
}

const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`load average before: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
for (const warm of [false, true]) {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timeToRows(warm));
  const samples = runs.map((run) => run.total).sort((a, b) => a - b);
  console.log(
    `tenants list interactive (${TENANTS.toLocaleString("en")} tenants, ${warm ? "warm cache" : "cold cache"}): ` +
      `p50 ${samples[Math.floor(RUNS / 2)]!.toFixed(0)} ms, max ${samples[RUNS - 1]!.toFixed(0)} ms (target < 1000 ms); ` +
      `runs ${runs.map((run) => run.total.toFixed(0)).join(", ")}`,
  );
  console.log(
    `  p50 after navigation start: last script ${median(runs.map((r) => r.script)).toFixed(0)} ms, ` +
      `session ${median(runs.map((r) => r.session)).toFixed(0)} ms, list request sent ${median(runs.map((r) => r.listStart)).toFixed(0)} ms, ` +
      `list answered ${median(runs.map((r) => r.list)).toFixed(0)} ms; ` +
      `most requests per load: session ${Math.max(...runs.map((r) => r.sessions))}, list ${Math.max(...runs.map((r) => r.lists))}`,
  );
}
console.log(`load average after: ${readFileSync("/proc/loadavg", "utf8").trim()}`);

await browser.close();
server.child.kill("SIGTERM");
await server.exited;
rmSync(dataDir, { recursive: true, force: true });
