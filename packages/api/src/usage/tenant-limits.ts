import type { SetTenantLimitInput, TenantMetricInput, UsageSummary } from "@tenantry/contracts/usage";
import type { Executor } from "@tenantry/db/database";
import { tenants } from "@tenantry/db/schema/tenants";
import { usageLimitOverrides } from "@tenantry/db/schema/usage";
import { and, eq, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { ServiceContext } from "../shared/service-context";
import { AI_CREDITS, loadTenantLimits, resolveLimit } from "./limits";
import { getMetricUsage } from "./summaries";

/** `ai_credits` has no override row: its tenant limit is the tenant's own field, versioned with it. */
async function setAiCreditsLimit(
  tx: Executor,
  workspaceId: string,
  tenantId: string,
  limit: number | null,
  now: Date,
) {
  await tx
    .update(tenants)
    .set({ aiCreditsRolling30DayLimit: limit, updatedAt: now, version: sql`${tenants.version} + 1` })
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenantId)));
}

/** A tenant's own limit for a metric (null = unlimited); logged in the activity log. */
export async function setTenantLimit(ctx: ServiceContext, input: SetTenantLimitInput): Promise<UsageSummary> {
  const workspaceId = ctx.actor.workspaceId;
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const tenant = await loadTenantLimits(tx, workspaceId, input.tenantId);
    const before = await resolveLimit(tx, workspaceId, input.tenantId, tenant, input.metric);
    if (input.metric === AI_CREDITS) {
      await setAiCreditsLimit(tx, workspaceId, input.tenantId, input.limit, now);
    } else {
      await tx
        .insert(usageLimitOverrides)
        .values({ workspaceId, tenantId: input.tenantId, metric: input.metric, limit: input.limit })
        .onConflictDoUpdate({
          target: [usageLimitOverrides.workspaceId, usageLimitOverrides.tenantId, usageLimitOverrides.metric],
          set: { limit: input.limit, updatedAt: now },
        });
    }
    await recordActivity(tx, ctx, {
      tenantId: input.tenantId,
      action: "usage.limit_set",
      targetType: "usage_metric",
      targetId: input.metric,
      before: { limit: before.limit, limitSource: before.limitSource },
      after: { limit: input.limit, limitSource: "tenant" },
    });
  });
  return getMetricUsage(ctx, { tenantId: input.tenantId, metric: input.metric });
}

/** Removes a tenant's override so the plan or default limit applies again. */
export async function clearTenantLimit(ctx: ServiceContext, input: TenantMetricInput): Promise<UsageSummary> {
  const workspaceId = ctx.actor.workspaceId;
  await ctx.db.transaction(async (tx) => {
    const tenant = await loadTenantLimits(tx, workspaceId, input.tenantId);
    const before = await resolveLimit(tx, workspaceId, input.tenantId, tenant, input.metric);
    if (input.metric === AI_CREDITS) {
      await setAiCreditsLimit(tx, workspaceId, input.tenantId, null, ctx.clock.now());
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
    await recordActivity(tx, ctx, {
      tenantId: input.tenantId,
      action: "usage.limit_cleared",
      targetType: "usage_metric",
      targetId: input.metric,
      before: { limit: before.limit, limitSource: before.limitSource },
      after: { limit: after.limit, limitSource: after.limitSource },
    });
  });
  return getMetricUsage(ctx, input);
}
