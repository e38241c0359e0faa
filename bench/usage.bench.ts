import { createCaller, createContext } from "@tenantry/api";
import { bootstrapDefaultWorkspace, createApiKey, randomKeyring } from "@tenantry/api/server-runtime";
import { windowOf } from "@tenantry/api/testing";
import { sql } from "drizzle-orm";
import {
  benchDatabase,
  benchDrivers,
  type Measurement,
  measure,
  report,
  startBenchServer,
  throughput,
} from "./lib";

/**
 * Issue 8's targets: a record's p99 under 2 ms in process with 1,000,000 events already in the
 * tenant's window, and one hot tenant above 2,000 records/s on PostgreSQL. The million events are
 * seeded as 720 hourly buckets (640 × 1,389 + 80 × 1,388 = 1,000,000) plus the counter row, as a million records would have left them.
 */
for (const driver of benchDrivers()) {
  const handle = await benchDatabase(driver);
  const keyring = await randomKeyring();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db);
  const { key } = await createApiKey(handle.db, { workspaceId, name: "bench" });
  const api = createCaller(
    createContext({ db: handle.db, keyring, header: (n) => (n === "x-api-key" ? key : undefined) }),
  );
  const hot = await api.tenants.create({ name: "Hot", aiCreditsRolling30DayLimit: 10_000_000_000 });
  const others: string[] = [];
  for (let i = 0; i < 1000; i++) others.push((await api.tenants.create({ name: `Tenant ${i}` })).id);

  const window = windowOf(new Date());
  await handle.db.execute(sql`
    insert into usage_buckets (workspace_id, tenant_id, metric, hour, amount)
    select ${workspaceId}, ${hot.id}, 'ai_credits', ${window.start.toISOString()}::timestamptz + make_interval(hours => h),
           case when h < 640 then 1389 else 1388 end
    from generate_series(0, 719) as h`);
  await handle.db.execute(sql`
    insert into usage_counters (workspace_id, tenant_id, metric, total, window_start)
    select ${workspaceId}, ${hot.id}, 'ai_credits', sum(amount), ${window.start.toISOString()}::timestamptz
    from usage_buckets where tenant_id = ${hot.id}`);
  const seeded = await api.usage.get({ tenantId: hot.id, metric: "ai_credits" });
  console.log(`\n${driver}: hot tenant seeded with ${seeded.used} credits in the window`);

  const server = await startBenchServer(handle.db, keyring);
  const base = server.base;
  const headers = { "x-api-key": key, "content-type": "application/json" };
  const body = JSON.stringify({ metric: "ai_credits", amount: 1 });

  const rows: Measurement[] = [];
  rows.push(
    await measure(`${driver}: record in process (tRPC caller), 1M events in window`, () =>
      api.usage.record({ tenantId: hot.id, metric: "ai_credits", amount: 1 }),
    ),
  );
  rows.push(
    await measure(`${driver}: read one metric in process`, () =>
      api.usage.get({ tenantId: hot.id, metric: "ai_credits" }),
    ),
  );
  rows.push(
    await measure(`${driver}: record over HTTP (REST, loopback)`, async () => {
      const res = await fetch(`${base}/tenants/${hot.id}/usage`, { method: "POST", headers, body });
      if (res.status >= 300) throw new Error(`record answered ${res.status}`);
      await res.arrayBuffer();
    }),
  );
  rows.push(
    await throughput(
      `${driver}: hot tenant, 16 in flight, in process`,
      () => api.usage.record({ tenantId: hot.id, metric: "ai_credits", amount: 1 }),
      { total: 4000, concurrency: 16 },
    ),
  );
  rows.push(
    await throughput(
      `${driver}: 1,000 tenants, 16 in flight, in process`,
      (i) => api.usage.record({ tenantId: others[i % others.length]!, metric: "ai_credits", amount: 1 }),
      { total: 4000, concurrency: 16 },
    ),
  );
  report(`Usage records (${driver})`, rows);
  await server.close();
  await handle.close();
}
