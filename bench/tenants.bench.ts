import { createCaller, createContext } from "@tenantry/api";
import { bootstrapDefaultWorkspace, createApiKey, randomKeyring } from "@tenantry/api/server-runtime";
import { encodeCursor } from "@tenantry/api/testing";
import { newId } from "@tenantry/db/ids";
import { scopes } from "@tenantry/db/schema/scopes";
import { tenants } from "@tenantry/db/schema/tenants";
import { desc, sql } from "drizzle-orm";
import { benchDatabase, benchDrivers, type Measurement, measure, report, startBenchServer } from "./lib";

/**
 * Issue 2's targets: with 100,000 tenants, get by id, a page of 50 at the start and deep at the end
 * of the list (keyset: both must cost the same), and create. In process and over HTTP on loopback.
 */
const TENANTS = Number(process.env.BENCH_TENANTS ?? 100_000);
const BATCH = 2_000;
/** `BENCH_SEARCH_ONLY=1`: only the `q` searches (and their plans). */
const SEARCH_ONLY = Boolean(process.env.BENCH_SEARCH_ONLY);

for (const driver of benchDrivers()) {
  const handle = await benchDatabase(driver);
  const keyring = await randomKeyring();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db);
  const { key } = await createApiKey(handle.db, { workspaceId, name: "bench" });

  const seeded = performance.now();
  for (let start = 0; start < TENANTS; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, TENANTS - start) }, (_, j) => {
      const n = start + j;
      return { id: newId("tenant"), scopeId: newId("scope"), n };
    });
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
        metadata: { seq: r.n },
      })),
    );
  }
  // Fresh statistics, as autovacuum would have them after a bulk load (plans depend on them).
  await handle.db.execute(sql`analyze`);
  const seedSeconds = (performance.now() - seeded) / 1000;

  const ordered = await handle.db.select({ id: tenants.id }).from(tenants).orderBy(desc(tenants.id));
  const ids = ordered.map((row) => row.id);
  const deepCursor = encodeCursor(ids[ids.length - 60]!); // the last full page of 50 before the end

  const api = createCaller(
    createContext({ db: handle.db, keyring, header: (n) => (n === "x-api-key" ? key : undefined) }),
  );
  const pick = (i: number) => ids[(i * 7919) % ids.length]!;
  const rows: Measurement[] = [];
  if (!SEARCH_ONLY) {
    rows.push(await measure(`${driver}: get by id`, (i) => api.tenants.get({ id: pick(i) })));
    rows.push(await measure(`${driver}: list, first page of 50`, () => api.tenants.list({ limit: 50 })));
    rows.push(
      await measure(`${driver}: list, page of 50 at the end`, () =>
        api.tenants.list({ limit: 50, cursor: deepCursor }),
      ),
    );
  }
  // `q` (issue 17: p99 < 10 ms with the trigram indexes): many matches, few, none, and short ones.
  const searches: [string, string][] = [
    ["tenant 9", "many matches (11,111), newest first"],
    ["Tenant 12345", "one name"],
    ["nant-4321", "a slug part, 11 matches"],
    ["xyz", "no match, 3 characters"],
    ["99", "2 characters, many matches"],
    ["zq", "2 characters, no match (a scan)"],
  ];
  for (const [q, what] of searches) {
    rows.push(
      await measure(
        `${driver}: list, q "${q}" (${what}), page of 50`,
        () => api.tenants.list({ limit: 50, q }),
        {
          iterations: 200,
          warmup: 20,
        },
      ),
    );
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const explained = await handle.db.execute(
      sql`explain select * from tenants where workspace_id = ${workspaceId} and (name ilike ${pattern} or slug ilike ${pattern} or internal_id = ${q} or external_id = ${q}) order by id desc limit 51`,
    );
    const plan = ((explained as { rows?: unknown[] }).rows ?? (explained as unknown[])).map(
      (row) => (row as Record<string, string>)["QUERY PLAN"],
    );
    const scans = plan.map(
      (line) => line?.match(/(Seq Scan|Index Scan Backward using \w+|Bitmap Index Scan on \w+)/)?.[1],
    );
    console.log(`${driver}: q "${q}" plan: ${scans.filter(Boolean).join(", ")}`);
  }
  if (SEARCH_ONLY) {
    report(`Tenant search with ${TENANTS.toLocaleString("en")} seeded (${driver})`, rows);
    await handle.close();
    continue;
  }
  rows.push(
    await measure(`${driver}: create`, (i) => api.tenants.create({ name: `Bench ${i}` }), {
      iterations: 1000,
      warmup: 100,
    }),
  );

  const server = await startBenchServer(handle.db, keyring);
  const base = server.base;
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    return response.arrayBuffer();
  };
  rows.push(await measure(`${driver}: HTTP get by id`, (i) => get(`/tenants/${pick(i)}`)));
  rows.push(await measure(`${driver}: HTTP list, first page of 50`, () => get("/tenants?limit=50")));
  rows.push(
    await measure(`${driver}: HTTP list, page of 50 at the end`, () =>
      get(`/tenants?limit=50&cursor=${deepCursor}`),
    ),
  );
  await server.close();

  report(
    `Tenants with ${TENANTS.toLocaleString("en")} seeded (${driver}; seeding took ${seedSeconds.toFixed(1)} s)`,
    rows,
  );
  await handle.close();
}
