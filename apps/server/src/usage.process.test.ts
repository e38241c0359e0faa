import { testDriver, withDatabase } from "@tenantry/db/test-database";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerRun, startServerProcess } from "./testing/server-process";

/**
 * Two real server processes on one PostgreSQL database record usage for one hot tenant at once
 * (issue 17): each process groups its own concurrent records, and the counter row's lock serialises
 * the groups of both. The limit is never passed, every accepted record is counted once with the
 * running total one-at-a-time recording would have answered, and an idempotency key sent to both
 * processes at once counts once.
 */
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const KEY = `tnt_sk_${"u".repeat(40)}`;
const TIMEOUT = 240_000;

describe.runIf(testDriver() === "postgres")("usage records across processes", () => {
  const name = `tenantry_usage_${Math.random().toString(36).slice(2, 10)}`;
  let admin: ReturnType<typeof postgres>;
  let db: ReturnType<typeof postgres>;
  const servers: (ServerRun & { url: string })[] = [];

  beforeAll(async () => {
    admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const databaseUrl = withDatabase(process.env.DATABASE_URL!, name);
    const env = {
      DATABASE_URL: databaseUrl,
      TENANTRY_BOOTSTRAP_API_KEY: KEY,
      TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
    };
    // The first migrates; the second starts on the migrated database.
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env));
    db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  }, TIMEOUT);

  afterAll(async () => {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill("SIGTERM");
        await server.exited;
      }
    }
    await db?.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  });

  const call = async (server: { url: string }, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  it(
    "never passes the limit and counts every accepted record once, with exact running totals",
    async () => {
      const created = await call(servers[0]!, "POST", "/tenants", {
        name: "Hot across processes",
        aiCreditsRolling30DayLimit: 2000,
      });
      expect(created.status).toBe(201);
      const tenantId = (created.body as { id: string }).id;
      // 600 records of 7 (4,200 asked, 2,000 allowed), 24 in flight against each process.
      const total = 600;
      let next = 0;
      const answers: { status: number; body: unknown }[] = [];
      await Promise.all(
        Array.from({ length: 48 }, async (_, worker) => {
          while (next < total) {
            next++;
            answers.push(
              await call(servers[worker % 2]!, "POST", `/tenants/${tenantId}/usage`, {
                metric: "ai_credits",
                amount: 7,
              }),
            );
          }
        }),
      );
      const accepted = answers.filter((a) => a.status === 201).map((a) => a.body as { used: number });
      const refused = answers.filter((a) => a.status === 429);
      expect(accepted.length + refused.length).toBe(total);
      expect(accepted).toHaveLength(Math.floor(2000 / 7));
      expect(accepted.map((a) => a.used).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 285 }, (_, i) => 7 * (i + 1)),
      );
      for (const r of refused) expect(r.body).toMatchObject({ code: "usage_limit_exceeded", limit: 2000 });

      const [row] = await db<{ total: string; buckets: string; refusals: string }[]>`
        select (select total from usage_counters where tenant_id = ${tenantId}) as total,
               (select sum(amount) from usage_buckets where tenant_id = ${tenantId}) as buckets,
               (select sum(count) from usage_refusals where tenant_id = ${tenantId}) as refusals`;
      expect(row).toEqual({ total: "1995", buckets: "1995", refusals: String(refused.length) });
    },
    TIMEOUT,
  );

  it(
    "an idempotency key sent to both processes at once counts once and answers the first answer",
    async () => {
      const created = await call(servers[1]!, "POST", "/tenants", {
        name: "Keys across processes",
        aiCreditsRolling30DayLimit: 1_000_000,
      });
      const tenantId = (created.body as { id: string }).id;
      const keys = Array.from({ length: 20 }, (_, i) => `cross-${i}`);
      const answers = await Promise.all(
        keys.flatMap((key, i) =>
          [0, 1, 2, 3].map((copy) =>
            call(servers[copy % 2]!, "POST", `/tenants/${tenantId}/usage`, {
              metric: "ai_credits",
              amount: i + 1,
              idempotencyKey: key,
            }),
          ),
        ),
      );
      keys.forEach((_, i) => {
        const copies = answers.slice(i * 4, i * 4 + 4);
        for (const copy of copies) expect(copy).toEqual(copies[0]);
        expect(copies[0]!.status).toBe(201);
      });
      const [row] = await db<{ total: string; buckets: string }[]>`
        select (select total from usage_counters where tenant_id = ${tenantId}) as total,
               (select sum(amount) from usage_buckets where tenant_id = ${tenantId}) as buckets`;
      expect(row).toEqual({ total: "210", buckets: "210" });
    },
    TIMEOUT,
  );
});
