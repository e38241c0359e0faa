import type { Database, Executor, Transaction } from "@tenantry/db/database";
import { tenants } from "@tenantry/db/schema/tenants";
import {
  usageBuckets,
  usageCounters,
  usageIdempotencyKeys,
  usageLimitOverrides,
  usageMetrics,
  usageRefusals,
} from "@tenantry/db/schema/usage";
import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { Actor } from "../actor";
import { canonicalJson, sha256Hex } from "../shared/crypto";
import { appError, notFound } from "../shared/errors";

export const AI_CREDITS = "ai_credits";
const HOUR_MS = 3_600_000;
const WINDOW_MS = 30 * 24 * HOUR_MS;
const IDEMPOTENCY_TTL_MS = 24 * HOUR_MS;

export interface UsageContext {
  db: Database;
  actor: Actor;
  requestId: string;
}

export type LimitSource = "tenant" | "plan" | "default" | "none";

export interface UsageSummary {
  metric: string;
  unit: string;
  used: number;
  limit: number | null;
  limitSource: LimitSource;
  remaining: number | null;
  windowStart: string;
  windowEnd: string;
  refusedToday: number;
}

export interface RecordResult {
  metric: string;
  amount: number;
  used: number;
  limit: number | null;
  remaining: number | null;
  windowStart: string;
  windowEnd: string;
}

const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/**
 * The window counts buckets with hour > now - 30 days (boundary precision: one hour). The first
 * counted bucket is therefore the hour after the one that contains now - 30 days.
 */
export function windowOf(now: Date): { start: Date; end: Date } {
  return { start: new Date(floorHour(now.getTime() - WINDOW_MS) + HOUR_MS), end: now };
}

async function loadTenant(db: Executor, workspaceId: string, tenantId: string) {
  const [tenant] = await db
    .select({
      status: tenants.status,
      planKey: tenants.planKey,
      aiLimit: tenants.aiCreditsRolling30DayLimit,
    })
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenantId)));
  if (!tenant) throw notFound("Tenant", tenantId);
  return tenant;
}

type TenantLimits = Awaited<ReturnType<typeof loadTenant>>;

/** Where a tenant's limit comes from: its override, then its plan, then the metric's default. */
async function resolveLimit(
  db: Executor,
  workspaceId: string,
  tenantId: string,
  tenant: TenantLimits,
  metric: string,
): Promise<{ unit: string; limit: number | null; limitSource: LimitSource }> {
  if (metric === AI_CREDITS) {
    // Built in: the tenant's own aiCreditsRolling30DayLimit is the limit.
    return tenant.aiLimit === null
      ? { unit: "credits", limit: null, limitSource: "none" }
      : { unit: "credits", limit: tenant.aiLimit, limitSource: "tenant" };
  }
  const [definition] = await db
    .select()
    .from(usageMetrics)
    .where(and(eq(usageMetrics.workspaceId, workspaceId), eq(usageMetrics.key, metric)));
  if (!definition) throw notFound("Usage metric", metric);
  const [override] = await db
    .select({ limit: usageLimitOverrides.limit })
    .from(usageLimitOverrides)
    .where(
      and(
        eq(usageLimitOverrides.workspaceId, workspaceId),
        eq(usageLimitOverrides.tenantId, tenantId),
        eq(usageLimitOverrides.metric, metric),
      ),
    );
  if (override) return { unit: definition.unit, limit: override.limit, limitSource: "tenant" };
  if (tenant.planKey !== null && Object.hasOwn(definition.planLimits, tenant.planKey)) {
    return {
      unit: definition.unit,
      limit: definition.planLimits[tenant.planKey] ?? null,
      limitSource: "plan",
    };
  }
  if (definition.defaultLimit !== null) {
    return { unit: definition.unit, limit: definition.defaultLimit, limitSource: "default" };
  }
  return { unit: definition.unit, limit: null, limitSource: "none" };
}

/** Sum of the buckets that left the window since the counter last moved: O(hours expired). */
async function expiredSince(
  db: Executor,
  key: { workspaceId: string; tenantId: string; metric: string },
  from: Date,
  to: Date,
): Promise<number> {
  if (from >= to) return 0;
  const [row] = await db
    .select({ sum: sql<string | null>`sum(${usageBuckets.amount})` })
    .from(usageBuckets)
    .where(
      and(
        eq(usageBuckets.workspaceId, key.workspaceId),
        eq(usageBuckets.tenantId, key.tenantId),
        eq(usageBuckets.metric, key.metric),
        gte(usageBuckets.hour, from),
        lt(usageBuckets.hour, to),
      ),
    );
  return Number(row?.sum ?? 0);
}

function limitExceeded(used: number, limit: number) {
  return appError("TOO_MANY_REQUESTS", "usage_limit_exceeded", "This record would exceed the usage limit", {
    used,
    limit,
    remaining: Math.max(0, limit - used),
  });
}

type Outcome = { accepted: RecordResult } | { refused: { used: number; limit: number } };

/**
 * Records usage exactly under concurrency: one transaction locks the (tenant, metric) counter row,
 * so parallel records for one tenant queue on that row and each sees the total the previous one left.
 */
export async function recordUsage(
  uc: UsageContext,
  input: { tenantId: string; metric: string; amount: number; idempotencyKey?: string | undefined },
  now: Date = new Date(),
): Promise<RecordResult> {
  const workspaceId = uc.actor.workspaceId;
  const key = { workspaceId, tenantId: input.tenantId, metric: input.metric };
  const requestHash = input.idempotencyKey
    ? await sha256Hex(canonicalJson({ metric: input.metric, amount: input.amount }))
    : null;
  const window = windowOf(now);
  const outcome: Outcome = await uc.db.transaction(async (tx) => {
    const tenant = await loadTenant(tx, workspaceId, input.tenantId);
    if (tenant.status !== "active") {
      throw appError("CONFLICT", "tenant_inactive", `The tenant is ${tenant.status}`, {
        status: tenant.status,
      });
    }
    const { limit } = await resolveLimit(tx, workspaceId, input.tenantId, tenant, input.metric);

    // One statement creates the counter row on first use or locks the existing one (an upsert
    // locks the row it conflicts with), and answers the total as the last record left it.
    const [counter] = await tx
      .insert(usageCounters)
      .values({ ...key, total: 0, windowStart: window.start })
      .onConflictDoUpdate({
        target: [usageCounters.workspaceId, usageCounters.tenantId, usageCounters.metric],
        set: { total: sql`${usageCounters.total}` },
      })
      .returning({ total: usageCounters.total, windowStart: usageCounters.windowStart });
    if (!counter) throw new Error("usage counter row vanished");

    if (input.idempotencyKey && requestHash) {
      const replay = await previousAnswer(tx, key, input.idempotencyKey, requestHash, now);
      if (replay) return { accepted: replay };
    }

    let total = counter.total;
    if (counter.windowStart < window.start) {
      total -= await expiredSince(tx, key, counter.windowStart, window.start);
    }
    if (limit !== null && total + input.amount > limit) {
      await rememberWindow(tx, key, total, window.start, counter.windowStart);
      await countRefusal(tx, key, now);
      return { refused: { used: total, limit } };
    }
    const used = total + input.amount;
    // The hour's bucket and the running total move in one round trip.
    await tx.execute(sql`
      with bucket as (
        insert into ${usageBuckets} (workspace_id, tenant_id, metric, hour, amount)
        values (${workspaceId}, ${input.tenantId}, ${input.metric}, ${new Date(floorHour(now.getTime())).toISOString()}, ${input.amount})
        on conflict (workspace_id, tenant_id, metric, hour) do update set amount = ${usageBuckets}.amount + excluded.amount
      )
      update ${usageCounters} set total = ${used}, window_start = ${window.start.toISOString()}
      where workspace_id = ${workspaceId} and tenant_id = ${input.tenantId} and metric = ${input.metric}`);
    if (limit !== null)
      await announceCrossedMarks(tx, uc, { ...key, limit, before: total, after: used }, now);
    const result: RecordResult = {
      metric: input.metric,
      amount: input.amount,
      used,
      limit,
      remaining: limit === null ? null : limit - used,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
    };
    if (input.idempotencyKey && requestHash) {
      await tx
        .insert(usageIdempotencyKeys)
        .values({
          workspaceId,
          tenantId: input.tenantId,
          key: input.idempotencyKey,
          requestHash,
          response: result,
          createdAt: now,
        })
        .onConflictDoUpdate({
          target: [usageIdempotencyKeys.workspaceId, usageIdempotencyKeys.tenantId, usageIdempotencyKeys.key],
          set: { requestHash, response: result, createdAt: now },
        });
    }
    return { accepted: result };
  });
  // Thrown after commit so the refusal count survives; nothing else was written.
  if ("refused" in outcome) throw limitExceeded(outcome.refused.used, outcome.refused.limit);
  return outcome.accepted;
}

/** Share of the limit at which `usage.threshold_reached` is announced. */
export const USAGE_THRESHOLD = 0.8;

/**
 * Records (and so announces) the 80 % mark and the limit when this record crosses them. Usage in the
 * rolling window only falls as hours leave it, so each mark is announced once per climb to it, not
 * on every record above it.
 */
async function announceCrossedMarks(
  tx: Transaction,
  uc: UsageContext,
  usage: { tenantId: string; metric: string; limit: number; before: number; after: number },
  now: Date,
) {
  const context = { actor: uc.actor, requestId: uc.requestId, clock: { now: () => now } };
  const crossed = (mark: number) => usage.before < mark && usage.after >= mark;
  const marks = [
    { action: "usage.threshold_reached" as const, mark: usage.limit * USAGE_THRESHOLD },
    { action: "usage.limit_reached" as const, mark: usage.limit },
  ];
  for (const { action, mark } of marks) {
    if (!crossed(mark)) continue;
    await recordActivity(tx, context, {
      tenantId: usage.tenantId,
      action,
      targetType: "usage_metric",
      targetId: usage.metric,
      after: { metric: usage.metric, used: usage.after, limit: usage.limit },
    });
  }
}

function counterWhere(key: { workspaceId: string; tenantId: string; metric: string }) {
  return and(
    eq(usageCounters.workspaceId, key.workspaceId),
    eq(usageCounters.tenantId, key.tenantId),
    eq(usageCounters.metric, key.metric),
  );
}

async function rememberWindow(
  tx: Transaction,
  key: { workspaceId: string; tenantId: string; metric: string },
  total: number,
  start: Date,
  previousStart: Date,
) {
  if (previousStart < start) {
    await tx.update(usageCounters).set({ total, windowStart: start }).where(counterWhere(key));
  }
}

async function countRefusal(
  tx: Transaction,
  key: { workspaceId: string; tenantId: string; metric: string },
  now: Date,
) {
  await tx
    .insert(usageRefusals)
    .values({ ...key, day: now.toISOString().slice(0, 10), count: 1 })
    .onConflictDoUpdate({
      target: [usageRefusals.workspaceId, usageRefusals.tenantId, usageRefusals.metric, usageRefusals.day],
      set: { count: sql`${usageRefusals.count} + 1` },
    });
}

/** Same key and body within 24 h → the first answer; same key, other body → 409. */
async function previousAnswer(
  tx: Transaction,
  key: { workspaceId: string; tenantId: string },
  idempotencyKey: string,
  requestHash: string,
  now: Date,
): Promise<RecordResult | null> {
  const [stored] = await tx
    .select()
    .from(usageIdempotencyKeys)
    .where(
      and(
        eq(usageIdempotencyKeys.workspaceId, key.workspaceId),
        eq(usageIdempotencyKeys.tenantId, key.tenantId),
        eq(usageIdempotencyKeys.key, idempotencyKey),
      ),
    );
  if (!stored || now.getTime() - stored.createdAt.getTime() >= IDEMPOTENCY_TTL_MS) return null;
  if (stored.requestHash !== requestHash) {
    throw appError(
      "CONFLICT",
      "idempotency_key_reused",
      "This idempotency key was already used with another body",
    );
  }
  return stored.response as RecordResult;
}

async function summarize(
  db: Executor,
  workspaceId: string,
  tenantId: string,
  tenant: TenantLimits,
  metric: string,
  now: Date,
): Promise<UsageSummary> {
  const key = { workspaceId, tenantId, metric };
  const window = windowOf(now);
  const { unit, limit, limitSource } = await resolveLimit(db, workspaceId, tenantId, tenant, metric);
  const [counter] = await db
    .select({ total: usageCounters.total, windowStart: usageCounters.windowStart })
    .from(usageCounters)
    .where(counterWhere(key));
  let used = 0;
  if (counter) used = counter.total - (await expiredSince(db, key, counter.windowStart, window.start));
  const [refusals] = await db
    .select({ count: usageRefusals.count })
    .from(usageRefusals)
    .where(
      and(
        eq(usageRefusals.workspaceId, workspaceId),
        eq(usageRefusals.tenantId, tenantId),
        eq(usageRefusals.metric, metric),
        eq(usageRefusals.day, now.toISOString().slice(0, 10)),
      ),
    );
  return {
    metric,
    unit,
    used,
    limit,
    limitSource,
    remaining: limit === null ? null : Math.max(0, limit - used),
    windowStart: window.start.toISOString(),
    windowEnd: window.end.toISOString(),
    refusedToday: refusals?.count ?? 0,
  };
}

export async function getMetricUsage(
  uc: UsageContext,
  tenantId: string,
  metric: string,
  now: Date = new Date(),
): Promise<UsageSummary> {
  const tenant = await loadTenant(uc.db, uc.actor.workspaceId, tenantId);
  return summarize(uc.db, uc.actor.workspaceId, tenantId, tenant, metric, now);
}

export async function listTenantUsage(
  uc: UsageContext,
  tenantId: string,
  now: Date = new Date(),
): Promise<{ items: UsageSummary[] }> {
  const workspaceId = uc.actor.workspaceId;
  const tenant = await loadTenant(uc.db, workspaceId, tenantId);
  const metrics = await uc.db
    .select({ key: usageMetrics.key })
    .from(usageMetrics)
    .where(eq(usageMetrics.workspaceId, workspaceId))
    .orderBy(asc(usageMetrics.key));
  const items: UsageSummary[] = [];
  for (const metric of [AI_CREDITS, ...metrics.map((m) => m.key)]) {
    items.push(await summarize(uc.db, workspaceId, tenantId, tenant, metric, now));
  }
  return { items };
}

export async function usageHistory(
  uc: UsageContext,
  input: { tenantId: string; metric: string; granularity: "hour" | "day"; from: Date; to: Date },
): Promise<{ items: { start: string; amount: number }[] }> {
  const workspaceId = uc.actor.workspaceId;
  const tenant = await loadTenant(uc.db, workspaceId, input.tenantId);
  await resolveLimit(uc.db, workspaceId, input.tenantId, tenant, input.metric);
  const bucketStart =
    input.granularity === "day"
      ? sql<Date>`date_trunc('day', ${usageBuckets.hour}, 'UTC')`
      : sql<Date>`${usageBuckets.hour}`;
  const rows = await uc.db
    .select({ start: bucketStart.mapWith(String), amount: sql<string>`sum(${usageBuckets.amount})` })
    .from(usageBuckets)
    .where(
      and(
        eq(usageBuckets.workspaceId, workspaceId),
        eq(usageBuckets.tenantId, input.tenantId),
        eq(usageBuckets.metric, input.metric),
        gte(usageBuckets.hour, input.from),
        lt(usageBuckets.hour, input.to),
      ),
    )
    .groupBy(bucketStart)
    .orderBy(bucketStart);
  return { items: rows.map((r) => ({ start: new Date(r.start).toISOString(), amount: Number(r.amount) })) };
}

/** `ai_credits` has no override row: its tenant limit is the tenant's own field, versioned with it. */
async function setAiCreditsLimit(tx: Executor, workspaceId: string, tenantId: string, limit: number | null) {
  await tx
    .update(tenants)
    .set({ aiCreditsRolling30DayLimit: limit, updatedAt: new Date(), version: sql`${tenants.version} + 1` })
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenantId)));
}

/** A tenant's own limit for a metric (null = unlimited); logged in the activity log. */
export async function setTenantLimit(
  uc: UsageContext,
  input: { tenantId: string; metric: string; limit: number | null },
): Promise<UsageSummary> {
  const workspaceId = uc.actor.workspaceId;
  await uc.db.transaction(async (tx) => {
    const tenant = await loadTenant(tx, workspaceId, input.tenantId);
    const before = await resolveLimit(tx, workspaceId, input.tenantId, tenant, input.metric);
    if (input.metric === AI_CREDITS) {
      await setAiCreditsLimit(tx, workspaceId, input.tenantId, input.limit);
    } else {
      await tx
        .insert(usageLimitOverrides)
        .values({ workspaceId, tenantId: input.tenantId, metric: input.metric, limit: input.limit })
        .onConflictDoUpdate({
          target: [usageLimitOverrides.workspaceId, usageLimitOverrides.tenantId, usageLimitOverrides.metric],
          set: { limit: input.limit, updatedAt: new Date() },
        });
    }
    await recordActivity(tx, uc, {
      tenantId: input.tenantId,
      action: "usage.limit_set",
      targetType: "usage_metric",
      targetId: input.metric,
      before: { limit: before.limit, limitSource: before.limitSource },
      after: { limit: input.limit, limitSource: "tenant" },
    });
  });
  return getMetricUsage(uc, input.tenantId, input.metric);
}

/** Removes a tenant's override so the plan or default limit applies again. */
export async function clearTenantLimit(
  uc: UsageContext,
  input: { tenantId: string; metric: string },
): Promise<UsageSummary> {
  const workspaceId = uc.actor.workspaceId;
  await uc.db.transaction(async (tx) => {
    const tenant = await loadTenant(tx, workspaceId, input.tenantId);
    const before = await resolveLimit(tx, workspaceId, input.tenantId, tenant, input.metric);
    if (input.metric === AI_CREDITS) {
      await setAiCreditsLimit(tx, workspaceId, input.tenantId, null);
    } else {
      await tx
        .delete(usageLimitOverrides)
        .where(
          and(
            eq(usageLimitOverrides.workspaceId, workspaceId),
            eq(usageLimitOverrides.tenantId, input.tenantId),
            eq(usageLimitOverrides.metric, input.metric),
          ),
        );
    }
    const after = await resolveLimit(tx, workspaceId, input.tenantId, tenant, input.metric);
    await recordActivity(tx, uc, {
      tenantId: input.tenantId,
      action: "usage.limit_cleared",
      targetType: "usage_metric",
      targetId: input.metric,
      before: { limit: before.limit, limitSource: before.limitSource },
      after: { limit: after.limit, limitSource: after.limitSource },
    });
  });
  return getMetricUsage(uc, input.tenantId, input.metric);
}

export interface UsageMetric {
  key: string;
  unit: string;
  defaultLimit: number | null;
  planLimits: Record<string, number | null>;
}

const toMetric = (row: typeof usageMetrics.$inferSelect): UsageMetric => ({
  key: row.key,
  unit: row.unit,
  defaultLimit: row.defaultLimit,
  planLimits: row.planLimits,
});

export async function listMetrics(uc: UsageContext): Promise<{ items: UsageMetric[] }> {
  const rows = await uc.db
    .select()
    .from(usageMetrics)
    .where(eq(usageMetrics.workspaceId, uc.actor.workspaceId))
    .orderBy(asc(usageMetrics.key));
  return {
    items: [{ key: AI_CREDITS, unit: "credits", defaultLimit: null, planLimits: {} }, ...rows.map(toMetric)],
  };
}

/** Creates or replaces a metric definition; limit changes are logged (workspace-level, no tenant). */
export async function putMetric(uc: UsageContext, input: UsageMetric): Promise<UsageMetric> {
  if (input.key === AI_CREDITS) {
    throw appError("BAD_REQUEST", "invalid_input", "ai_credits is built in; set it per tenant", {
      key: input.key,
    });
  }
  const workspaceId = uc.actor.workspaceId;
  return uc.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(usageMetrics)
      .where(and(eq(usageMetrics.workspaceId, workspaceId), eq(usageMetrics.key, input.key)))
      .for("update");
    const [row] = await tx
      .insert(usageMetrics)
      .values({ workspaceId, ...input })
      .onConflictDoUpdate({
        target: [usageMetrics.workspaceId, usageMetrics.key],
        set: {
          unit: input.unit,
          defaultLimit: input.defaultLimit,
          planLimits: input.planLimits,
          updatedAt: new Date(),
        },
      })
      .returning();
    await recordActivity(tx, uc, {
      tenantId: null,
      action: before ? "usage.metric_updated" : "usage.metric_created",
      targetType: "usage_metric",
      targetId: input.key,
      before: before ? { ...toMetric(before) } : null,
      after: { ...input },
    });
    return toMetric(row!);
  });
}

export async function deleteMetric(uc: UsageContext, key: string): Promise<void> {
  const workspaceId = uc.actor.workspaceId;
  await uc.db.transaction(async (tx) => {
    const [before] = await tx
      .delete(usageMetrics)
      .where(and(eq(usageMetrics.workspaceId, workspaceId), eq(usageMetrics.key, key)))
      .returning();
    if (!before) throw notFound("Usage metric", key);
    await recordActivity(tx, uc, {
      tenantId: null,
      action: "usage.metric_deleted",
      targetType: "usage_metric",
      targetId: key,
      before: { ...toMetric(before) },
      after: null,
    });
  });
}

/** Refused records per tenant and metric on one UTC day, most refused first. */
export async function listRefusals(
  uc: UsageContext,
  day: string,
): Promise<{ items: { tenantId: string; metric: string; day: string; count: number }[] }> {
  const rows = await uc.db
    .select({
      tenantId: usageRefusals.tenantId,
      metric: usageRefusals.metric,
      day: usageRefusals.day,
      count: usageRefusals.count,
    })
    .from(usageRefusals)
    .where(and(eq(usageRefusals.workspaceId, uc.actor.workspaceId), eq(usageRefusals.day, day)))
    .orderBy(sql`${usageRefusals.count} desc`)
    .limit(1000);
  return { items: rows };
}
