import { readFileSync } from "node:fs";
import { createCaller, createContext } from "@tenantry/api";
import { bootstrapDefaultWorkspace, randomKeyring } from "@tenantry/api/server-runtime";
import { windowOf } from "@tenantry/api/testing";
import { type Database, rowsOf } from "@tenantry/db/database";
import { withDatabase } from "@tenantry/db/test-database";
import { startServerProcess } from "@tenantry/server/testing/server-process";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { benchDatabase, benchDrivers, type Measurement, measure, report, throughput } from "./lib";

/**
 * Issue 17's targets for one hot tenant's usage record: ≥ 2,000 records/s and ≥ 0.5 of a floor (one
 * upsert on one row over postgres.js, 16 in flight), p99 < 10 ms, with 1,000,000 events already in
 * the tenant's window, exact. The million events are seeded as 720 hourly buckets
 * (640 × 1,389 + 80 × 1,388 = 1,000,000) plus the counter row, as a million records would have left them.
 *
 * On PostgreSQL the floor, the record in process (tRPC caller) and the record over HTTP against a
 * real server process (NODE_ENV=production) run interleaved, USAGE_ROUNDS rounds (default 3) of
 * USAGE_SECONDS each (default 5), 16 in flight; ratios are taken within the run. At the end the
 * counter must equal the sum of the buckets and the seed plus every accepted record.
 */
const KEY = `tnt_sk_${"b".repeat(40)}`;
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
const ROUNDS = Number(process.env.USAGE_ROUNDS ?? 3);
const SECONDS = Number(process.env.USAGE_SECONDS ?? 5);
const IN_FLIGHT = 16;

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** `IN_FLIGHT` callers for `seconds`; every call must succeed. */
async function timed(name: string, fn: () => Promise<unknown>, seconds: number): Promise<Measurement> {
  const times: number[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await fn();
        times.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  return {
    name,
    samples: times.length,
    p50: at(50),
    p99: at(99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    opsPerSecond: (times.length / elapsed) * 1000,
  };
}

for (const driver of benchDrivers()) {
  const handle = await benchDatabase(driver);
  const keyring = await randomKeyring();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db, { bootstrapApiKey: KEY });
  const api = createCaller(
    createContext({
      db: handle.db,
      keyring,
      header: (n) => (n === "authorization" ? `Bearer ${KEY}` : undefined),
    }),
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
  let accepted = 0;
  const recordHot = async () => {
    await api.usage.record({ tenantId: hot.id, metric: "ai_credits", amount: 1 });
    accepted++;
  };

  const rows: Measurement[] = [];
  rows.push(await measure(`${driver}: record in process (tRPC caller), 1M events in window`, recordHot));
  rows.push(
    await measure(`${driver}: read one metric in process`, () =>
      api.usage.get({ tenantId: hot.id, metric: "ai_credits" }),
    ),
  );

  if (driver === "postgres") {
    const databaseUrl = await currentDatabaseUrl(handle.db);
    const floorClient = postgres(databaseUrl, { max: IN_FLIGHT, onnotice: () => {} });
    await floorClient`create table bench_floor (id int primary key, n bigint not null)`;
    const floor = () =>
      floorClient`insert into bench_floor (id, n) values (1, 1) on conflict (id) do update set n = bench_floor.n + 1`;
    const server = await startServerProcess({
      DATABASE_URL: databaseUrl,
      TENANTRY_BOOTSTRAP_API_KEY: KEY,
      TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
      NODE_ENV: "production",
    });
    const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
    const body = JSON.stringify({ metric: "ai_credits", amount: 1 });
    const recordOverHttp = async () => {
      const res = await fetch(`${server.url}/api/v1/tenants/${hot.id}/usage`, {
        method: "POST",
        headers,
        body,
      });
      if (res.status !== 201) throw new Error(`record answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      accepted++;
    };
    // Warm up all three (connections, prepared statements, JIT).
    await timed("warm-up", floor, 1);
    await timed("warm-up", recordHot, 1);
    await timed("warm-up", recordOverHttp, 1);

    console.log(`\n${ROUNDS} rounds × ${SECONDS} s, ${IN_FLIGHT} in flight, interleaved (PostgreSQL)`);
    console.log("| round | what | records/s | p50 ms | p99 ms | ratio to floor | load average |");
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    const sums = { floor: 0, process: 0, http: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      const f = await timed("floor", floor, SECONDS);
      const loadF = loadavg();
      const p = await timed("in process", recordHot, SECONDS);
      const loadP = loadavg();
      const h = await timed("over HTTP", recordOverHttp, SECONDS);
      const loadH = loadavg();
      sums.floor += f.opsPerSecond;
      sums.process += p.opsPerSecond;
      sums.http += h.opsPerSecond;
      const line = (m: Measurement, load: string, ratio: string) =>
        console.log(
          `| ${round} | ${m.name} | ${m.opsPerSecond.toFixed(0)} | ${m.p50.toFixed(2)} | ${m.p99.toFixed(2)} | ${ratio} | ${load} |`,
        );
      line(f, loadF, "1");
      line(p, loadP, (p.opsPerSecond / f.opsPerSecond).toFixed(2));
      line(h, loadH, (h.opsPerSecond / f.opsPerSecond).toFixed(2));
    }
    console.log(
      `mean of rounds: floor ${(sums.floor / ROUNDS).toFixed(0)}/s, in process ${(sums.process / ROUNDS).toFixed(0)}/s ` +
        `(${(sums.process / sums.floor).toFixed(2)}), over HTTP ${(sums.http / ROUNDS).toFixed(0)}/s (${(sums.http / sums.floor).toFixed(2)})`,
    );
    server.child.kill("SIGTERM");
    await server.exited;
    await floorClient.end({ timeout: 5 });
  }

  rows.push(
    await throughput(`${driver}: hot tenant, 16 in flight, in process`, recordHot, {
      total: 4000,
      concurrency: 16,
    }),
  );
  rows.push(
    await throughput(
      `${driver}: 1,000 tenants, 16 in flight, in process`,
      (i) => api.usage.record({ tenantId: others[i % others.length]!, metric: "ai_credits", amount: 1 }),
      { total: 4000, concurrency: 16 },
    ),
  );
  report(`Usage records (${driver}), load average ${loadavg()}`, rows);

  // Exact: the counter equals its buckets, and the seed plus every accepted record.
  const [check] = rowsOf<{ total: string; buckets: string }>(
    await handle.db.execute(sql`
      select (select total from usage_counters where tenant_id = ${hot.id} and metric = 'ai_credits') as total,
             (select sum(amount) from usage_buckets where tenant_id = ${hot.id} and metric = 'ai_credits') as buckets`),
  );
  const expected = seeded.used + accepted;
  const exact = Number(check!.total) === expected && Number(check!.buckets) === expected;
  console.log(
    `${driver}: exact? counter ${check!.total}, buckets ${check!.buckets}, seed + accepted ${expected}: ${exact ? "yes" : "NO"}`,
  );
  await handle.close();
}

/** The URL of the bench's own database (benchDatabase makes a fresh one per run). */
async function currentDatabaseUrl(db: Database): Promise<string> {
  const [row] = rowsOf<{ name: string }>(await db.execute(sql`select current_database() as name`));
  return withDatabase(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres", row!.name);
}
