import type { MetricRefInput, PutMetricInput, UsageMetric } from "@tenantry/contracts/usage";
import { usageMetrics } from "@tenantry/db/schema/usage";
import { and, asc, eq } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { AI_CREDITS } from "./limits";

const toMetric = (row: typeof usageMetrics.$inferSelect): UsageMetric => ({
  key: row.key,
  unit: row.unit,
  defaultLimit: row.defaultLimit,
  planLimits: row.planLimits,
});

export async function listMetrics(ctx: ServiceContext): Promise<{ items: UsageMetric[] }> {
  const rows = await ctx.db
    .select()
    .from(usageMetrics)
    .where(eq(usageMetrics.workspaceId, ctx.actor.workspaceId))
    .orderBy(asc(usageMetrics.key));
  return {
    items: [{ key: AI_CREDITS, unit: "credits", defaultLimit: null, planLimits: {} }, ...rows.map(toMetric)],
  };
}

/** Creates or replaces a metric definition; limit changes are logged (workspace-level, no tenant). */
export async function putMetric(ctx: ServiceContext, input: PutMetricInput): Promise<UsageMetric> {
  if (input.key === AI_CREDITS) {
    throw appError("BAD_REQUEST", "invalid_input", "ai_credits is built in; set it per tenant", {
      key: input.key,
    });
  }
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
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
          updatedAt: ctx.clock.now(),
        },
      })
      .returning();
    await recordActivity(tx, ctx, {
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

export async function deleteMetric(ctx: ServiceContext, input: MetricRefInput): Promise<void> {
  const workspaceId = ctx.actor.workspaceId;
  await ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .delete(usageMetrics)
      .where(and(eq(usageMetrics.workspaceId, workspaceId), eq(usageMetrics.key, input.key)))
      .returning();
    if (!before) throw notFound("Usage metric", input.key);
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "usage.metric_deleted",
      targetType: "usage_metric",
      targetId: input.key,
      before: { ...toMetric(before) },
      after: null,
    });
  });
}
