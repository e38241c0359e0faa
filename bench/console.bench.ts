import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { createOperator } from "@tenantry/api/operators";
import { bootstrapDefaultWorkspace, createApiKey, randomKeyring } from "@tenantry/api/server-runtime";
import { newId } from "@tenantry/db/ids";
import { scopes } from "@tenantry/db/schema/scopes";
import { tenants } from "@tenantry/db/schema/tenants";
import { createHttpServer } from "@tenantry/server/http-server";
import { hashOperatorPassword } from "@tenantry/server/operator-passwords";
import { sql } from "drizzle-orm";
import pino from "pino";
import { chromium } from "playwright-core";
import { build } from "vite";
import { benchDatabase } from "./lib";

/**
 * Issue 9's console budget: its first load (every script and stylesheet the page loads, gzip -9)
 * under 250 KB, and time to interactive on the tenants list with 100,000 tenants under 1 s locally:
 * from navigation to the first page of rows rendered, in Chromium, against the real server (PGlite).
 */
const TENANTS = Number(process.env.BENCH_TENANTS ?? 100_000);
const RUNS = 7;
const BATCH = 2_000;
const consoleRoot = fileURLToPath(new URL("../apps/console/", import.meta.url));

const outDir = mkdtempSync(join(tmpdir(), "tenantry-console-bench-"));
const built = performance.now();
await build({ configFile: `${consoleRoot}vite.config.ts`, logLevel: "silent", build: { outDir } });
const buildSeconds = (performance.now() - built) / 1000;
// The first load: what index.html names (its script, stylesheet and module preloads). Pages other
// than sign-in and the tenants list are separate chunks, loaded when first opened.
const html = readFileSync(join(outDir, "index.html"), "utf8");
const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]!);
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

const handle = await benchDatabase("pglite");
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

let publicUrl = "http://127.0.0.1";
const server = createHttpServer({
  state: { db: handle.db, keyring: await randomKeyring() },
  logger: pino({ level: "silent" }),
  get publicUrl() {
    return publicUrl;
  },
  bodyLimitBytes: 1024 * 1024,
  version: "bench",
  consoleDistDir: outDir,
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address() as { port: number };
publicUrl = `http://127.0.0.1:${address.port}`;

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

async function timeToRows(warm: boolean): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  await context.addCookies([{ name: cookie[0]!, value: cookie[1]!, url: publicUrl }]);
  const page = await context.newPage();
  if (warm)
    await page.goto(`${publicUrl}/tenants`).then(() => page.locator(".table tbody tr").first().waitFor());
  const started = performance.now();
  await page.goto(`${publicUrl}/tenants`);
  await page.locator(".table tbody tr").nth(24).waitFor();
  const elapsed = performance.now() - started;
  await context.close();
  return elapsed;
}

for (const warm of [false, true]) {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timeToRows(warm));
  samples.sort((a, b) => a - b);
  console.log(
    `tenants list interactive (${TENANTS.toLocaleString("en")} tenants, ${warm ? "warm cache" : "cold cache"}): ` +
      `p50 ${samples[Math.floor(RUNS / 2)]!.toFixed(0)} ms, max ${samples[RUNS - 1]!.toFixed(0)} ms (target < 1000 ms)`,
  );
}

await browser.close();
server.closeAllConnections();
await new Promise<void>((resolve) => server.close(() => resolve()));
await handle.close();
