import type {
  Refusals,
  RefusalsInput,
  TenantMetricInput,
  TenantUsageInput,
  UsageHistory,
  UsageHistoryInput,
  UsageSummary,
} from "@tenantry/contracts/usage";
import { HISTORY_DEFAULT_DAYS, HISTORY_RANGE, isHistoryRange } from "@tenantry/contracts/usage";
import type { Executor } from "@tenantry/db/database";
import { usageBuckets, usageCounters, usageMetrics, usageRefusals } from "@tenantry/db/schema/usage";
import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import { appError } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { counterWhere, expiredSince } from "./counters";
import { AI_CREDITS, loadTenantLimits, resolveLimit, type TenantLimits } from "./limits";
import { floorHour, HOUR_MS, utcDay, windowOf } from "./window";

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
        eq(usageRefusals.day, utcDay(now)),
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

export async function getMetricUsage(ctx: ServiceContext, input: TenantMetricInput): Promise<UsageSummary> {
  const workspaceId = ctx.actor.workspaceId;
  const tenant = await loadTenantLimits(ctx.db, workspaceId, input.tenantId);
  return summarize(ctx.db, workspaceId, input.tenantId, tenant, input.metric, ctx.clock.now());
}

export async function listTenantUsage(
  ctx: ServiceContext,
  input: TenantUsageInput,
): Promise<{ items: UsageSummary[] }> {
  const workspaceId = ctx.actor.workspaceId;
  const now = ctx.clock.now();
  const tenant = await loadTenantLimits(ctx.db, workspaceId, input.tenantId);
  const metrics = await ctx.db
    .select({ key: usageMetrics.key })
    .from(usageMetrics)
    .where(eq(usageMetrics.workspaceId, workspaceId))
    .orderBy(asc(usageMetrics.key));
  const items: UsageSummary[] = [];
  for (const metric of [AI_CREDITS, ...metrics.map((m) => m.key)]) {
    items.push(await summarize(ctx.db, workspaceId, input.tenantId, tenant, metric, now));
  }
  return { items };
}

export async function usageHistory(ctx: ServiceContext, input: UsageHistoryInput): Promise<UsageHistory> {
  const workspaceId = ctx.actor.workspaceId;
  const tenant = await loadTenantLimits(ctx.db, workspaceId, input.tenantId);
  // Resolving the limit answers 404 for a metric that is not defined.
  await resolveLimit(ctx.db, workspaceId, input.tenantId, tenant, input.metric);
  // Left out, the range is the current window with the current hour's bucket: exactly what `used` counts.
  const now = ctx.clock.now();
  const to = input.to ?? new Date(floorHour(now.getTime()) + HOUR_MS);
  const from =
    input.from ??
    (input.to ? new Date(to.getTime() - HISTORY_DEFAULT_DAYS * 86_400_000) : windowOf(now).start);
  if (!isHistoryRange(from, to)) throw appError("BAD_REQUEST", "invalid_input", HISTORY_RANGE);
  const bucketStart =
    input.granularity === "day"
      ? sql<Date>`date_trunc('day', ${usageBuckets.hour}, 'UTC')`
      : sql<Date>`${usageBuckets.hour}`;
  const rows = await ctx.db
    .select({ start: bucketStart.mapWith(String), amount: sql<string>`sum(${usageBuckets.amount})` })
    .from(usageBuckets)
    .where(
      and(
        eq(usageBuckets.workspaceId, workspaceId),
        eq(usageBuckets.tenantId, input.tenantId),
        eq(usageBuckets.metric, input.metric),
        gte(usageBuckets.hour, from),
        lt(usageBuckets.hour, to),
      ),
    )
    .groupBy(bucketStart)
    .orderBy(bucketStart);
  return { items: rows.map((r) => ({ start: new Date(r.start).toISOString(), amount: Number(r.amount) })) };
}

/** Refused records per tenant and metric on one UTC day (default today), most refused first. */
export async function listRefusals(ctx: ServiceContext, input: RefusalsInput): Promise<Refusals> {
  const day = input?.day ?? utcDay(ctx.clock.now());
  const rows = await ctx.db
    .select({
      tenantId: usageRefusals.tenantId,
      metric: usageRefusals.metric,
      day: usageRefusals.day,
      count: usageRefusals.count,
    })
    .from(usageRefusals)
    .where(and(eq(usageRefusals.workspaceId, ctx.actor.workspaceId), eq(usageRefusals.day, day)))
    .orderBy(sql`${usageRefusals.count} desc`)
    .limit(1000);
  return { items: rows };
}
