import { newId } from "@tenantry/db/ids";
import { activityLog } from "@tenantry/db/schema/activity";
import { usageBuckets, usageCounters, usageIdempotencyKeys, usageRefusals } from "@tenantry/db/schema/usage";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";

/**
 * Group commit (issue 17): concurrent records for one counter are applied in groups, each record with
 * its own answer. These hammer one tenant at once and check that every answer and every stored number
 * is what one-at-a-time recording would have produced.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

async function newTenant(limit: number | null, on: Harness = h) {
  return on.api.tenants.create({
    name: "Hot Co",
    internalId: `hot-${unique()}`,
    aiCreditsRolling30DayLimit: limit,
  });
}

async function stored(tenantId: string, metric = "ai_credits", on: Harness = h) {
  const where = (t: typeof usageBuckets | typeof usageCounters | typeof usageRefusals) =>
    and(eq(t.tenantId, tenantId), eq(t.metric, metric));
  const buckets = await on.handle.db.select().from(usageBuckets).where(where(usageBuckets));
  const [counter] = await on.handle.db.select().from(usageCounters).where(where(usageCounters));
  const refusals = await on.handle.db.select().from(usageRefusals).where(where(usageRefusals));
  return {
    buckets: buckets.reduce((n, b) => n + b.amount, 0),
    counter: counter?.total ?? 0,
    refusals: refusals.reduce((n, r) => n + r.count, 0),
  };
}

function settle<T>(results: PromiseSettledResult<T>[]) {
  return {
    accepted: results
      .filter((r): r is PromiseFulfilledResult<T> => r.status === "fulfilled")
      .map((r) => r.value),
    rejected: results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason),
  };
}

const usedOf = (results: { used: number }[]) => results.map((r) => r.used).sort((a, b) => a - b);
const steps = (amount: number, count: number) => Array.from({ length: count }, (_, i) => amount * (i + 1));

describe("one hot tenant, concurrently", () => {
  it("limit 1,000, 200 records of 7 at once: exactly 142 accepted with the answers one at a time gives", async () => {
    const tenant = await newTenant(1000);
    const results = settle(
      await Promise.allSettled(
        Array.from({ length: 200 }, () =>
          h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 7 }),
        ),
      ),
    );
    expect(results.accepted).toHaveLength(Math.floor(1000 / 7));
    // Each accepted record saw the total the previous one left: 7, 14, … 994, each once.
    expect(usedOf(results.accepted)).toEqual(steps(7, 142));
    for (const r of results.accepted) expect(r.remaining).toBe(1000 - r.used);
    expect(results.rejected).toHaveLength(58);
    for (const reason of results.rejected) {
      const error = await failure(Promise.reject(reason));
      expect(error).toMatchObject({ status: 429, code: "usage_limit_exceeded" });
      expect((reason as { cause: { details: unknown } }).cause.details).toEqual({
        used: 994,
        limit: 1000,
        remaining: 6,
      });
    }
    expect(await stored(tenant.id)).toEqual({ buckets: 994, counter: 994, refusals: 58 });
    expect((await h.api.usage.get({ tenantId: tenant.id, metric: "ai_credits" })).used).toBe(994);
  });

  it("mixed amounts never pass the limit, and the small ones fill what the big ones leave", async () => {
    const tenant = await newTenant(500);
    const amounts = Array.from({ length: 150 }, (_, i) => [1, 9, 40][i % 3]!);
    const results = settle(
      await Promise.allSettled(
        amounts.map((amount) => h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount })),
      ),
    );
    const total = results.accepted.reduce((n, r) => n + r.amount, 0);
    expect(total).toBeLessThanOrEqual(500);
    // Running totals are distinct and each is the previous one plus this record's amount.
    const sorted = [...results.accepted].sort((a, b) => a.used - b.used);
    for (const [i, r] of sorted.entries()) expect(r.used).toBe((sorted[i - 1]?.used ?? 0) + r.amount);
    expect(sorted.at(-1)!.used).toBe(total);
    for (const reason of results.rejected) {
      const details = (reason as { cause: { details: { used: number; limit: number } } }).cause.details;
      expect(details.limit).toBe(500);
      // Refused because this amount did not fit into what was left at its turn.
      expect(details.used).toBeLessThanOrEqual(500);
    }
    expect(await stored(tenant.id)).toEqual({
      buckets: total,
      counter: total,
      refusals: results.rejected.length,
    });
  });

  it("40 copies of one idempotency key among 40 other records: counted once, all answer the first answer", async () => {
    const tenant = await newTenant(10_000);
    const record = { tenantId: tenant.id, metric: "ai_credits", amount: 11, idempotencyKey: `k-${unique()}` };
    // The first body to arrive owns the key: send one first, so the 409s below are the other body's.
    const owner = await h.api.usage.record(record);
    const calls = Array.from({ length: 80 }, (_, i) =>
      i % 2 === 0
        ? h.api.usage.record(record)
        : h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 1 }),
    );
    // The same key with another body, at the same moment: 409 each time, nothing counted.
    const reused = Array.from({ length: 5 }, () => failure(h.api.usage.record({ ...record, amount: 12 })));
    const results = await Promise.all(calls);
    const copies = results.filter((_, i) => i % 2 === 0);
    expect(new Set([owner, ...copies].map((r) => JSON.stringify(r))).size).toBe(1);
    for (const error of await Promise.all(reused)) {
      expect(error).toMatchObject({ status: 409, code: "idempotency_key_reused" });
    }
    expect(await stored(tenant.id)).toEqual({ buckets: 11 + 40, counter: 11 + 40, refusals: 0 });
    const keys = await h.handle.db
      .select()
      .from(usageIdempotencyKeys)
      .where(eq(usageIdempotencyKeys.tenantId, tenant.id));
    expect(keys).toHaveLength(1);
    expect(keys[0]!.response).toEqual(copies[0]);
    // A later copy still answers the first answer.
    expect(await h.api.usage.record(record)).toEqual(copies[0]);
  });

  it("many keys at once: each counted once and answered its own first answer", async () => {
    const tenant = await newTenant(100_000);
    const keys = Array.from({ length: 30 }, (_, i) => `many-${i}`);
    const first = await Promise.all(
      keys.flatMap((key, i) =>
        [0, 1, 2].map(() =>
          h.api.usage.record({
            tenantId: tenant.id,
            metric: "ai_credits",
            amount: i + 1,
            idempotencyKey: key,
          }),
        ),
      ),
    );
    keys.forEach((_, i) => {
      const answers = first.slice(i * 3, i * 3 + 3);
      expect(new Set(answers.map((r) => JSON.stringify(r))).size).toBe(1);
      expect(answers[0]!.amount).toBe(i + 1);
    });
    const total = (30 * 31) / 2;
    expect(await stored(tenant.id)).toEqual({ buckets: total, counter: total, refusals: 0 });
  });

  it("mixed metrics at once: each counter exact against its own limit", async () => {
    const tenant = await newTenant(300);
    const metric = `calls_${unique()}`;
    await h.api.usage.putMetric({ key: metric, unit: "calls", defaultLimit: 50, planLimits: {} });
    const other = await newTenant(null);
    const calls = Array.from({ length: 120 }, (_, i) => {
      switch (i % 3) {
        case 0:
          return h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 7 });
        case 1:
          return h.api.usage.record({ tenantId: tenant.id, metric, amount: 3 });
        default:
          return h.api.usage.record({ tenantId: other.id, metric: "ai_credits", amount: 5 });
      }
    });
    const results = await Promise.allSettled(calls);
    const ok = (k: number) => results.filter((r, i) => i % 3 === k && r.status === "fulfilled").length;
    expect(ok(0)).toBe(40); // 40 × 7 = 280 ≤ 300
    expect(ok(1)).toBe(16); // floor(50 / 3)
    expect(ok(2)).toBe(40); // unlimited
    expect(await stored(tenant.id)).toEqual({ buckets: 280, counter: 280, refusals: 0 });
    expect(await stored(tenant.id, metric)).toEqual({ buckets: 48, counter: 48, refusals: 24 });
    expect(await stored(other.id)).toEqual({ buckets: 200, counter: 200, refusals: 0 });
  });

  it("announces the 80 % mark and the limit once each when concurrent records cross them", async () => {
    const tenant = await newTenant(100);
    const results = settle(
      await Promise.allSettled(
        Array.from({ length: 40 }, () =>
          h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 3 }),
        ),
      ),
    );
    expect(results.accepted).toHaveLength(33);
    const marks = await h.handle.db
      .select({ action: activityLog.action, changes: activityLog.changes })
      .from(activityLog)
      .where(eq(activityLog.tenantId, tenant.id))
      .orderBy(asc(activityLog.id));
    expect(
      marks.filter((m) => m.action.startsWith("usage.")).map((m) => [m.action, m.changes.after]),
    ).toEqual([["usage.threshold_reached", { metric: "ai_credits", used: 81, limit: 100 }]]);
    // 99 of 100 used: the limit is not reached yet; a 1 reaches it, once.
    await h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 1 });
    await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 1 }),
      ),
    );
    const after = await h.handle.db
      .select({ action: activityLog.action })
      .from(activityLog)
      .where(and(eq(activityLog.tenantId, tenant.id), eq(activityLog.action, "usage.limit_reached")));
    expect(after).toHaveLength(1);
  });
});

describe("concurrently across the window's edge (test clock)", () => {
  const clock = testClock();
  let timed: Harness;
  beforeAll(async () => {
    timed = await createHarness({ clock });
  });
  afterAll(() => timed.close());

  it("records in two hours at once land in their own buckets; old hours leave the window exactly", async () => {
    clock.set("2026-03-01T11:00:00Z");
    const tenant = await newTenant(1000, timed);
    const credits = { tenantId: tenant.id, metric: "ai_credits" };
    // A second caller on the same database whose clock is still in the 10:00 hour.
    const earlier = createCaller(
      createContext({
        db: timed.handle.db,
        keyring: timed.keyring,
        header: (name) => (name === "authorization" ? `Bearer ${timed.apiKey}` : undefined),
        clock: testClock("2026-03-01T10:59:59Z"),
      }),
    );
    // Half before and half after 11:00, all in flight at the same time.
    const before = Array.from({ length: 20 }, () => earlier.usage.record({ ...credits, amount: 10 }));
    const after = Array.from({ length: 20 }, () => timed.api.usage.record({ ...credits, amount: 10 }));
    const results = await Promise.all([...before, ...after]);
    expect(usedOf(results)).toEqual(steps(10, 40));
    const hours = await timed.handle.db
      .select({ hour: usageBuckets.hour, amount: usageBuckets.amount })
      .from(usageBuckets)
      .where(eq(usageBuckets.tenantId, tenant.id))
      .orderBy(asc(usageBuckets.hour));
    expect(hours.map((b) => [b.hour.toISOString(), b.amount])).toEqual([
      ["2026-03-01T10:00:00.000Z", 200],
      ["2026-03-01T11:00:00.000Z", 200],
    ]);
    // Thirty days later the 10:00 hour has left the window; concurrent records see 200 used, not 400.
    clock.set("2026-03-31T10:00:00Z");
    const rolled = settle(
      await Promise.allSettled(
        Array.from({ length: 100 }, () => timed.api.usage.record({ ...credits, amount: 10 })),
      ),
    );
    expect(rolled.accepted).toHaveLength(80);
    expect(usedOf(rolled.accepted)).toEqual(steps(10, 80).map((n) => n + 200));
    expect(rolled.rejected).toHaveLength(20);
    expect(await stored(tenant.id, "ai_credits", timed)).toEqual({
      buckets: 1200,
      counter: 1000,
      refusals: 20,
    });
    expect((await timed.api.usage.get(credits)).used).toBe(1000);
  });
});

describe("the limit a record applies", () => {
  it("is the one usage.get reports: override, plan, plan's null, default, none, ai_credits", async () => {
    const metric = `seats_${unique()}`;
    await h.api.usage.putMetric({
      key: metric,
      unit: "seats",
      defaultLimit: 5,
      planLimits: { pro: 7, free: null },
    });
    const plain = await newTenant(null);
    const pro = await h.api.tenants.create({ name: "Pro", planKey: "pro" });
    const free = await h.api.tenants.create({ name: "Free", planKey: "free" });
    const basic = await h.api.tenants.create({ name: "Basic", planKey: "basic" });
    const overridden = await h.api.tenants.create({ name: "Overridden", planKey: "pro" });
    await h.api.usage.setLimit({ tenantId: overridden.id, metric, limit: 3 });
    const unlimited = await newTenant(null);
    await h.api.usage.setLimit({ tenantId: unlimited.id, metric, limit: null });
    const credits = await newTenant(4);
    const cases = [
      [plain.id, metric, 5],
      [pro.id, metric, 7],
      [free.id, metric, null],
      [basic.id, metric, 5],
      [overridden.id, metric, 3],
      [unlimited.id, metric, null],
      [credits.id, "ai_credits", 4],
      [plain.id, "ai_credits", null],
    ] as const;
    for (const [tenantId, key, limit] of cases) {
      expect((await h.api.usage.get({ tenantId, metric: key })).limit).toBe(limit);
      // Ten records of 1 at once: exactly the limit's worth accepted, each answering that limit.
      const results = settle(
        await Promise.allSettled(
          Array.from({ length: 10 }, () => h.api.usage.record({ tenantId, metric: key, amount: 1 })),
        ),
      );
      expect(results.accepted).toHaveLength(limit ?? 10);
      for (const r of results.accepted) expect(r.limit).toBe(limit);
    }
  });

  it("unknown tenant or metric (404) and an inactive tenant (409) answer every record of a group", async () => {
    const suspended = await newTenant(100);
    const missing = newId("tenant");
    await h.api.tenants.suspend({ id: suspended.id });
    const attempts = [
      ...Array.from({ length: 5 }, () =>
        h.api.usage.record({ tenantId: suspended.id, metric: "ai_credits", amount: 1 }),
      ),
      ...Array.from({ length: 5 }, () =>
        h.api.usage.record({ tenantId: missing, metric: "ai_credits", amount: 1 }),
      ),
      ...Array.from({ length: 5 }, () =>
        h.api.usage.record({ tenantId: suspended.id, metric: "nope", amount: 1 }),
      ),
    ];
    const errors = await Promise.all(attempts.map((attempt) => failure(attempt)));
    expect(errors.map((e) => `${e.status} ${e.code}`)).toEqual([
      ...Array(5).fill("409 tenant_inactive"),
      ...Array(5).fill("404 not_found"),
      ...Array(5).fill("409 tenant_inactive"),
    ]);
    expect(await stored(suspended.id)).toEqual({ buckets: 0, counter: 0, refusals: 0 });
  });
});
