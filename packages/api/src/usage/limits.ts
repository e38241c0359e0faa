import type { UsageSummary } from "@tenantry/contracts/usage";
import type { Executor } from "@tenantry/db/database";
import { tenants } from "@tenantry/db/schema/tenants";
import { usageLimitOverrides, usageMetrics } from "@tenantry/db/schema/usage";
import { and, eq } from "drizzle-orm";
import { notFound } from "../shared/errors";

/** The built-in metric: its limit is the tenant's own `aiCreditsRolling30DayLimit`. */
export const AI_CREDITS = "ai_credits";

/** What of a tenant decides its limits: its status, its plan and its own AI credits limit. */
export async function loadTenantLimits(db: Executor, workspaceId: string, tenantId: string) {
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

export type TenantLimits = Awaited<ReturnType<typeof loadTenantLimits>>;

export type ResolvedLimit = Pick<UsageSummary, "unit" | "limit" | "limitSource">;

/**
 * Where a tenant's limit comes from: its override, then its plan, then the metric's default.
 * Recording reads the same precedence in SQL, in its one statement (record.ts): change both together
 * (record-concurrency.test.ts checks that they agree).
 */
export async function resolveLimit(
  db: Executor,
  workspaceId: string,
  tenantId: string,
  tenant: TenantLimits,
  metric: string,
): Promise<ResolvedLimit> {
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
