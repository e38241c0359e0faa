import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { type Measurement, measure, report } from "./lib";

/**
 * Issue 19 asks whether a small router (Hono) would make the HTTP layer clearer without costing the
 * performance goals. This measures only what the switch would add: the same two routes (a fixed path
 * and one with a parameter, both answering JSON) on Node's http module with the if-chain the server
 * uses, and on Hono through @hono/node-server (which turns every IncomingMessage into a web Request
 * and the Response back). The handlers do no work, so the difference is the adapter and router alone.
 */
const TENANT = /^\/api\/v1\/tenants\/([^/]+)$/;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function plainHandler(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  const tenant = path.match(TENANT);
  if (path === "/healthz") sendJson(res, 200, { status: "ok" });
  else if (tenant && req.method === "GET") sendJson(res, 200, { id: tenant[1], name: "Acme" });
  else sendJson(res, 404, { code: "not_found" });
}

const hono = new Hono()
  .get("/healthz", (c) => c.json({ status: "ok" }))
  .get("/api/v1/tenants/:id", (c) => c.json({ id: c.req.param("id"), name: "Acme" }))
  .notFound((c) => c.json({ code: "not_found" }, 404));

async function listen(start: (port: number) => { close: (done: () => void) => void }, probe: string) {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
  const server = start(port);
  for (let i = 0; i < 50; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}${probe}`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Requests per second with `concurrency` callers on keep-alive connections. */
async function throughput(name: string, url: string, total = 20_000, concurrency = 32): Promise<Measurement> {
  let next = 0;
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t0 = performance.now();
        const response = await fetch(url);
        await response.arrayBuffer();
        times.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    name,
    samples: times.length,
    p50: times[Math.floor(times.length / 2)]!,
    p99: times[Math.ceil(times.length * 0.99) - 1]!,
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    opsPerSecond: (times.length / elapsed) * 1000,
  };
}

const plain = await listen((port) => {
  const server = createServer(plainHandler).listen(port, "127.0.0.1");
  return server;
}, "/healthz");
const withHono = await listen(
  (port) => serve({ fetch: hono.fetch, port, hostname: "127.0.0.1" }),
  "/healthz",
);

const path = "/api/v1/tenants/tenant_0190";
const sequential: Measurement[] = [];
const concurrent: Measurement[] = [];
// Interleaved rounds, so machine load falls on both alike.
for (let round = 0; round < 2; round++) {
  for (const [label, base] of [
    ["node:http if-chain", plain.base],
    ["Hono + @hono/node-server", withHono.base],
  ] as const) {
    sequential.push(
      await measure(`${label}, GET ${path} (round ${round + 1})`, () =>
        fetch(`${base}${path}`).then((r) => r.arrayBuffer()),
      ),
    );
    concurrent.push(await throughput(`${label}, 32 concurrent (round ${round + 1})`, `${base}${path}`));
  }
}
report("HTTP router: sequential latency", sequential);
report("HTTP router: throughput", concurrent);
await plain.close();
await withHono.close();
