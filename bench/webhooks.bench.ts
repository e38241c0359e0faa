import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createCaller, createContext } from "@tenantry/api";
import {
  bootstrapDefaultWorkspace,
  createApiKey,
  deliverDueMessages,
  randomKeyring,
  systemClock,
} from "@tenantry/api/server-runtime";
import { benchDatabase, benchDrivers, type Measurement, measure, report } from "./lib";

/**
 * Issue 21: the write path's added cost (a tenant update with no endpoint, then with one), delivery
 * throughput with one and two workers (two workers in one process stand for two processes: they
 * share nothing but the database), and commit-to-receipt latency for a burst of events
 * (`BENCH_WEBHOOK_EVENTS`, 10,000 by default) over 100 tenants.
 */
const burst = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000);
const updates = Number(process.env.BENCH_WEBHOOK_UPDATES ?? 1000);

/** Event id → milliseconds from the event's `createdAt` (set in its transaction) to receipt. */
const latencies = new Map<string, number>();
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const event = JSON.parse(Buffer.concat(chunks).toString()) as { id: string; createdAt: string };
    if (!latencies.has(event.id)) latencies.set(event.id, Date.now() - Date.parse(event.createdAt));
    res.writeHead(204).end();
  });
});
receiver.listen(0, "127.0.0.1");
await once(receiver, "listening");
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

for (const driver of benchDrivers()) {
  const handle = await benchDatabase(driver);
  const keyring = await randomKeyring();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db);
  const { key } = await createApiKey(handle.db, { workspaceId, name: "bench" });
  const api = createCaller(
    createContext({
      db: handle.db,
      keyring,
      header: (n) => (n === "x-api-key" ? key : undefined),
      webhookUrlPolicy: { allowHosts: new Set(["127.0.0.1"]) },
    }),
  );
  const delivery = {
    db: handle.db,
    keyring,
    clock: systemClock,
    urlPolicy: { allowHosts: new Set(["127.0.0.1"]) },
  };
  const tenants: string[] = [];
  for (let i = 0; i < 100; i++) tenants.push((await api.tenants.create({ name: `Hooked ${i}` })).id);

  const rows: Measurement[] = [];
  const patch = (i: number) => api.tenants.patch({ id: tenants[i % 100]!, name: `Hooked ${i}` });
  rows.push(
    await measure(`${driver}: tenant update, no endpoint`, patch, { iterations: updates, warmup: 100 }),
  );
  const { endpoint } = await api.webhookEndpoints.create({ url: receiverUrl });
  rows.push(
    await measure(
      `${driver}: tenant update, one endpoint (event + message)`,
      (i) => patch(updates + 200 + i),
      {
        iterations: updates,
        warmup: 100,
      },
    ),
  );
  await api.webhookEndpoints.delete({ id: endpoint.id });

  for (const workers of [1, 2]) {
    const { endpoint: target } = await api.webhookEndpoints.create({ url: receiverUrl });
    latencies.clear();
    const started = performance.now();
    const writer = (async () => {
      for (let i = 0; i < burst; i++) await patch(10_000_000 * workers + i);
    })();
    const loops = Array.from({ length: workers }, async () => {
      while (latencies.size < burst) {
        if ((await deliverDueMessages(delivery, 50)) === 0) await new Promise((r) => setTimeout(r, 5));
      }
    });
    await Promise.all([writer, ...loops]);
    const elapsed = performance.now() - started;
    const sorted = [...latencies.values()].sort((a, b) => a - b);
    rows.push({
      name: `${driver}: burst of ${burst} updates, ${workers} worker(s): createdAt→receipt; ops/s = events delivered`,
      samples: sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      opsPerSecond: (burst / elapsed) * 1000,
    });
    await api.webhookEndpoints.delete({ id: target.id });
  }
  report(`Events and webhooks (${driver})`, rows);
  await handle.close();
}
receiver.close();
