import { newId } from "@tenantry/db/ids";
import { usageBuckets, usageCounters, usageIdempotencyKeys, usageRefusals } from "@tenantry/db/schema/usage";
import { and, eq, sum } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";

let h: Harness;
let signingKey: { id: string; secret: Uint8Array };
beforeAll(async () => {
  h = await createHarness();
  const created = await h.api.signingKeys.create({ algorithm: "HS256", name: "usage" });
  signingKey = { id: created.id, secret: new TextEncoder().encode(created.secret!) };
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

async function newTenant(aiCreditsRolling30DayLimit: number | null = 100, on: Harness = h) {
  const internalId = `usage-${unique()}`;
  const tenant = await on.api.tenants.create({ name: "Usage Co", internalId, aiCreditsRolling30DayLimit });
  return { id: tenant.id, internalId };
}

async function tokenFor(internalId: string, scope: string) {
  const jwt = await new SignJWT({ sub: internalId, scope })
    .setProtectedHeader({ alg: "HS256", kid: signingKey.id })
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(signingKey.secret);
  return h.callerWith({ authorization: `Bearer ${jwt}` });
}

async function storedTotal(tenantId: string, on: Harness = h) {
  const [buckets] = await on.handle.db
    .select({ total: sum(usageBuckets.amount) })
    .from(usageBuckets)
    .where(and(eq(usageBuckets.tenantId, tenantId), eq(usageBuckets.metric, "ai_credits")));
  return Number(buckets?.total ?? 0);
}

async function refusalCount(tenantId: string) {
  const rows = await h.handle.db.select().from(usageRefusals).where(eq(usageRefusals.tenantId, tenantId));
  return rows.reduce((n, row) => n + row.count, 0);
}

describe("recording usage", () => {
  it("records AI credits against the tenant's aiCreditsRolling30DayLimit", async () => {
    const tenant = await newTenant(100);
    const first = await h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 30 });
    expect(first).toMatchObject({ metric: "ai_credits", amount: 30, used: 30, limit: 100, remaining: 70 });
    const read = await h.api.usage.get({ tenantId: tenant.id, metric: "ai_credits" });
    expect(read).toMatchObject({
      used: 30,
      limit: 100,
      remaining: 70,
      limitSource: "tenant",
      refusedToday: 0,
    });
    const list = await h.api.usage.list({ tenantId: tenant.id });
    expect(list.items[0]).toMatchObject({ metric: "ai_credits", used: 30 });
  });

  it("refuses a record that would pass the limit with 429 and used/limit/remaining, writing nothing", async () => {
    const tenant = await newTenant(10);
    await h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 8 });
    const error = await h.api.usage
      .record({ tenantId: tenant.id, metric: "ai_credits", amount: 3 })
      .catch((e: unknown) => e);
    expect(await failure(Promise.reject(error))).toMatchObject({ status: 429, code: "usage_limit_exceeded" });
    expect((error as { cause: { details: unknown } }).cause.details).toEqual({
      used: 8,
      limit: 10,
      remaining: 2,
    });
    expect(await storedTotal(tenant.id)).toBe(8);
    expect(await refusalCount(tenant.id)).toBe(1);
    // Exactly up to the limit is fine.
    await h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 2 });
    expect((await h.api.usage.get({ tenantId: tenant.id, metric: "ai_credits" })).refusedToday).toBe(1);
  });

  it("a null limit is unlimited", async () => {
    const tenant = await newTenant(null);
    const result = await h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 1_000_000 });
    expect(result).toMatchObject({ used: 1_000_000, limit: null, remaining: null });
  });

  const badAmounts: [string, unknown][] = [
    ["zero", 0],
    ["a negative", -5],
    ["a decimal", 1.5],
    ["beyond 2^53", 2 ** 53],
    ["a string", "5"],
    ["NaN-ish null", null],
  ];
  for (const [name, amount] of badAmounts) {
    it(`refuses ${name} amount with 400 and writes nothing`, async () => {
      const tenant = await newTenant(100);
      expect(
        await failure(
          h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: amount as number }),
        ),
      ).toMatchObject({ status: 400, code: "invalid_input" });
      expect(await storedTotal(tenant.id)).toBe(0);
    });
  }

  it("refuses an unknown metric (404), an unknown tenant (404) and extra fields (400)", async () => {
    const tenant = await newTenant(100);
    expect(
      await failure(h.api.usage.record({ tenantId: tenant.id, metric: "nope", amount: 1 })),
    ).toMatchObject({
      status: 404,
      code: "not_found",
    });
    expect(
      await failure(
        h.api.usage.record({
          tenantId: newId("tenant"),
          metric: "ai_credits",
          amount: 1,
        }),
      ),
    ).toMatchObject({ status: 404 });
    expect(
      await failure(
        h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 1, extra: 1 } as never),
      ),
    ).toMatchObject({ status: 400 });
    expect(await storedTotal(tenant.id)).toBe(0);
  });

  it("refuses suspended and archived tenants with 409 tenant_inactive", async () => {
    for (const status of ["suspended", "archived"] as const) {
      const tenant = await newTenant(100);
      const { tenants } = await import("@tenantry/db/schema/tenants");
      await h.handle.db.update(tenants).set({ status }).where(eq(tenants.id, tenant.id));
      expect(
        await failure(h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 1 })),
      ).toMatchObject({ status: 409, code: "tenant_inactive" });
      expect(await storedTotal(tenant.id)).toBe(0);
    }
  });
});

describe("access tokens", () => {
  it("record only for their own tenant and only with usage:write; reading needs usage:read", async () => {
    const mine = await newTenant(100);
    const other = await newTenant(100);
    const writer = await tokenFor(mine.internalId, "usage:write usage:read");
    await writer.usage.record({ tenantId: mine.id, metric: "ai_credits", amount: 4 });
    expect((await writer.usage.get({ tenantId: mine.id, metric: "ai_credits" })).used).toBe(4);
    expect(
      await failure(writer.usage.record({ tenantId: other.id, metric: "ai_credits", amount: 1 })),
    ).toMatchObject({
      status: 404,
    });
    expect(await failure(writer.usage.list({ tenantId: other.id }))).toMatchObject({ status: 404 });
    const reader = await tokenFor(mine.internalId, "usage:read");
    expect(
      await failure(reader.usage.record({ tenantId: mine.id, metric: "ai_credits", amount: 1 })),
    ).toMatchObject({
      status: 403,
      code: "forbidden",
    });
    const nobody = await tokenFor(mine.internalId, "fields:read");
    expect(await failure(nobody.usage.list({ tenantId: mine.id }))).toMatchObject({ status: 403 });
    expect(
      await failure(writer.usage.setLimit({ tenantId: mine.id, metric: "ai_credits", limit: 1 })),
    ).toMatchObject({
      status: 403,
    });
    expect(await storedTotal(mine.id)).toBe(4);
    expect(await storedTotal(other.id)).toBe(0);
  });
});

describe("idempotency", () => {
  it("answers a repeated key with the first answer and counts once; another body is 409", async () => {
    const tenant = await newTenant(100);
    const key = `k-${unique()}`;
    const first = await h.api.usage.record({
      tenantId: tenant.id,
      metric: "ai_credits",
      amount: 5,
      idempotencyKey: key,
    });
    const again = await h.api.usage.record({
      tenantId: tenant.id,
      metric: "ai_credits",
      amount: 5,
      idempotencyKey: key,
    });
    expect(again).toEqual(first);
    expect(
      await failure(
        h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 6, idempotencyKey: key }),
      ),
    ).toMatchObject({ status: 409, code: "idempotency_key_reused" });
    expect(await storedTotal(tenant.id)).toBe(5);
  });
});

describe("races", () => {
  it("limit 100, 30 parallel records of 7: exactly 14 accepted, 16 refused with 429, total 98", async () => {
    const tenant = await newTenant(100);
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 7 }),
      ),
    );
    const accepted = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(accepted).toHaveLength(14);
    expect(refused).toHaveLength(16);
    for (const r of refused) {
      expect(await failure(Promise.reject((r as PromiseRejectedResult).reason))).toMatchObject({
        status: 429,
        code: "usage_limit_exceeded",
      });
    }
    expect(await storedTotal(tenant.id)).toBe(98);
    expect((await h.api.usage.get({ tenantId: tenant.id, metric: "ai_credits" })).used).toBe(98);
    expect(await refusalCount(tenant.id)).toBe(16);
  });

  it("20 parallel records with one idempotency key count once and all answer the same", async () => {
    const tenant = await newTenant(1000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 9, idempotencyKey: "burst" }),
      ),
    );
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(await storedTotal(tenant.id)).toBe(9);
  });
});

describe("time on the context's clock", () => {
  const clock = testClock();
  let timed: Harness;
  beforeAll(async () => {
    timed = await createHarness({ clock });
  });
  afterAll(() => timed.close());

  it("forgets idempotency keys after 24 hours", async () => {
    clock.set("2026-01-01T10:30:00Z");
    const tenant = await newTenant(100, timed);
    const record = { tenantId: tenant.id, metric: "ai_credits", amount: 2, idempotencyKey: "day" };
    await timed.api.usage.record(record);
    clock.advance(24 * 3_600_000 - 1);
    await timed.api.usage.record(record);
    expect(await storedTotal(tenant.id, timed)).toBe(2);
    clock.advance(1);
    await timed.api.usage.record(record);
    expect(await storedTotal(tenant.id, timed)).toBe(4);
    const keys = await timed.handle.db
      .select()
      .from(usageIdempotencyKeys)
      .where(eq(usageIdempotencyKeys.tenantId, tenant.id));
    expect(keys).toHaveLength(1);
  });

  it("stops counting usage older than 30 days, lazily, without a cron", async () => {
    clock.set("2026-01-01T10:30:00Z");
    const tenant = await newTenant(100, timed);
    const credits = { tenantId: tenant.id, metric: "ai_credits" };
    await timed.api.usage.record({ ...credits, amount: 60 });
    clock.advance(10 * 86_400_000);
    await timed.api.usage.record({ ...credits, amount: 30 });
    expect(await failure(timed.api.usage.record({ ...credits, amount: 20 }))).toMatchObject({
      status: 429,
    });
    // Refusals count per UTC day of the clock: the next day starts at zero again.
    expect((await timed.api.usage.get(credits)).refusedToday).toBe(1);
    expect((await timed.api.usage.refusals()).items).toEqual([
      { tenantId: tenant.id, metric: "ai_credits", day: "2026-01-11", count: 1 },
    ]);
    // A bucket counts while its hour > now - 30 days: the 10:00 bucket leaves at 10:00 thirty days later.
    clock.set("2026-01-31T09:59:59Z");
    expect(await timed.api.usage.get(credits)).toMatchObject({
      used: 90,
      refusedToday: 0,
      windowStart: "2026-01-01T10:00:00.000Z",
      windowEnd: "2026-01-31T09:59:59.000Z",
    });
    clock.set("2026-01-31T10:00:00Z");
    expect((await timed.api.usage.get(credits)).used).toBe(30);
    const result = await timed.api.usage.record({ ...credits, amount: 70 });
    expect(result).toMatchObject({ used: 100, remaining: 0 });
    const [counter] = await timed.handle.db
      .select()
      .from(usageCounters)
      .where(eq(usageCounters.tenantId, tenant.id));
    expect(counter!.total).toBe(100);
    // History keeps every bucket for charts.
    const history = await timed.api.usage.history({
      ...credits,
      granularity: "day",
      from: "2025-12-31T00:00:00Z",
      to: "2026-02-01T00:00:00Z",
    });
    expect(history.items).toEqual([
      { start: "2026-01-01T00:00:00.000Z", amount: 60 },
      { start: "2026-01-11T00:00:00.000Z", amount: 30 },
      { start: "2026-01-31T00:00:00.000Z", amount: 70 },
    ]);
    // Left out, the range is the clock's current window (not the machine's): the buckets `used` counts.
    expect((await timed.api.usage.history(credits)).items).toEqual([
      { start: "2026-01-11T00:00:00.000Z", amount: 30 },
      { start: "2026-01-31T00:00:00.000Z", amount: 70 },
    ]);
    expect(
      await failure(timed.api.usage.history({ ...credits, from: "2026-02-01T00:00:00Z" })),
    ).toMatchObject({ status: 400, message: expect.stringContaining("from must be before to") });
  });
});

describe("limits", () => {
  it("lowering a limit below usage refuses new records and loses nothing; changes are logged", async () => {
    const tenant = await newTenant(100);
    await h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 50 });
    const lowered = await h.api.usage.setLimit({ tenantId: tenant.id, metric: "ai_credits", limit: 20 });
    expect(lowered).toMatchObject({ used: 50, limit: 20, remaining: 0 });
    expect(
      await failure(h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 1 })),
    ).toMatchObject({
      status: 429,
    });
    expect(await storedTotal(tenant.id)).toBe(50);
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id });
    expect(log.items.map((e) => e.action)).toContain("usage.limit_set");
    await h.api.usage.clearLimit({ tenantId: tenant.id, metric: "ai_credits" });
    await h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 1 });
  });

  it("custom metrics: limit from tenant override, plan, default or none", async () => {
    const key = `seats_${unique()}`;
    await h.api.usage.putMetric({ key, unit: "seats", defaultLimit: 5, planLimits: { pro: 50, free: null } });
    expect((await h.api.usage.listMetrics()).items.map((m) => m.key)).toContain(key);
    const plain = await newTenant(null);
    expect(await h.api.usage.get({ tenantId: plain.id, metric: key })).toMatchObject({
      limit: 5,
      limitSource: "default",
    });
    const pro = await h.api.tenants.create({ name: "Pro", planKey: "pro" });
    expect(await h.api.usage.get({ tenantId: pro.id, metric: key })).toMatchObject({
      limit: 50,
      limitSource: "plan",
    });
    const free = await h.api.tenants.create({ name: "Free", planKey: "free" });
    expect(await h.api.usage.get({ tenantId: free.id, metric: key })).toMatchObject({
      limit: null,
      limitSource: "plan",
    });
    await h.api.usage.setLimit({ tenantId: pro.id, metric: key, limit: 2 });
    expect(await h.api.usage.get({ tenantId: pro.id, metric: key })).toMatchObject({
      limit: 2,
      limitSource: "tenant",
    });
    await h.api.usage.record({ tenantId: pro.id, metric: key, amount: 2 });
    expect(await failure(h.api.usage.record({ tenantId: pro.id, metric: key, amount: 1 }))).toMatchObject({
      status: 429,
    });
    await h.api.usage.clearLimit({ tenantId: pro.id, metric: key });
    expect(await h.api.usage.get({ tenantId: pro.id, metric: key })).toMatchObject({
      limit: 50,
      limitSource: "plan",
    });
    const refusals = await h.api.usage.refusals();
    expect(refusals.items).toContainEqual(
      expect.objectContaining({ tenantId: pro.id, metric: key, count: 1 }),
    );
    await h.api.usage.deleteMetric({ key });
    expect(await failure(h.api.usage.get({ tenantId: pro.id, metric: key }))).toMatchObject({ status: 404 });
    expect(
      await failure(h.api.usage.putMetric({ key: "ai_credits", unit: "x", defaultLimit: 1, planLimits: {} })),
    ).toMatchObject({ status: 400 });
  });
});
