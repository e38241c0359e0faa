/**
 * Issue 5's target: the first render of MemberTable with 50 rows under 16 ms, data cached from the
 * real router on PGlite. Measured twice: in happy-dom (Node), and — issue 17 — in Chromium, on a page
 * built with Vite in production mode (packages/widgets/scripts/member-table-chromium) that mounts
 * the widget from the same cached data. The measurement lives with the widgets, whose dependencies it needs.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

// React's production build, as hosts ship it; set before React (and its JSX runtime) is first imported.
process.env.NODE_ENV = "production";
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const { memberTableRun, summarize } = await import("../packages/widgets/scripts/member-table-render");
const { measured: result, cache, token } = await memberTableRun(ITERATIONS);
const line = (where: string, r: { p50: number; p99: number; mean: number; samples: number }) =>
  `MemberTable first render, 50 rows, ${where}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, mean ${r.mean.toFixed(2)} ms (${r.samples} mounts; target < 16 ms: ${r.p99 < 16 ? "within" : r.p50 < 16 ? "p50 within, p99 OVER" : "OVER"})`;
console.log(`load average: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
console.log(line("happy-dom", result));

// Chromium: the harness page, production build, served from loopback.
const { build } = await import("vite");
const { chromium } = await import("playwright-core");
const root = fileURLToPath(new URL("../packages/widgets/scripts/member-table-chromium/", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "tenantry-member-table-"));
await build({
  root,
  mode: "production",
  logLevel: "silent",
  configFile: false,
  base: "./",
  build: { outDir, emptyOutDir: true, target: "es2022" },
});
const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const file = join(outDir, path === "/" ? "index.html" : path.replace(/^\/+/, ""));
  const body = await readFile(file).catch(() => null);
  if (!body || file.includes("..")) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
  res.end(body);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
const page = await browser.newPage();
const errors: string[] = [];
page.on("pageerror", (error) => errors.push(error.message));
await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
await page.waitForFunction(() => "measureMemberTable" in window);
const { times, requests } = await page.evaluate(
  ([state, bearer, iterations]) =>
    (
      window as unknown as {
        measureMemberTable: (
          s: unknown,
          t: string,
          n: number,
          w: number,
        ) => Promise<{ times: number[]; requests: number }>;
      }
    ).measureMemberTable(state, bearer, iterations, 20),
  [cache, token, ITERATIONS] as const,
);
if (errors.length) throw new Error(`the page failed: ${errors.join("; ")}`);
console.log(`${line("Chromium", summarize(times))}; requests left pending: ${requests}`);
console.log(`load average: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
await browser.close();
server.close();
rmSync(outDir, { recursive: true, force: true });
// happy-dom's window keeps timers alive; the measurement is done.
process.exit(0);
