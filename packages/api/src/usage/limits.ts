import type { UsageSummary } from "@tenantry/contracts/usage";
import type { Executor } from "@tenantry/db/database";
import { tenants } from "@tenantry/db/schema/tenants";
import { usageLimitOverrides, usageMetrics } from "@tenantry/db/schema/usage";
import { and, eq } from "drizzle-orm";
import { appError, notFound } from "../shared/errors";

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

/** Where a tenant's limit comes from: its override, then its plan, then the metric's default. */
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
  return limitOf(tenant, definition, override ?? null);
}

type MetricDefinition = Pick<typeof usageMetrics.$inferSelect, "unit" | "defaultLimit" | "planLimits">;

/** The precedence itself: the tenant's override, then its plan's entry, then the metric's default. */
function limitOf(
  tenant: TenantLimits,
  definition: MetricDefinition,
  override: { limit: number | null } | null,
): ResolvedLimit {
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

/**
 * What a record needs before it takes the counter's lock, in one query without locks: that the tenant
 * is active, and the limit that applies (same errors and precedence as `loadTenantLimits` + `resolveLimit`).
 * Read under READ COMMITTED like those, so a limit change committed before the read applies.
 */
export async function loadRecordLimit(
  db: Executor,
  workspaceId: string,
  tenantId: string,
  metric: string,
): Promise<number | null> {
  if (metric === AI_CREDITS) {
    const tenant = await loadTenantLimits(db, workspaceId, tenantId);
    assertActive(tenant.status);
    return tenant.aiLimit;
  }
  const [row] = await db
    .select({
      status: tenants.status,
      planKey: tenants.planKey,
      aiLimit: tenants.aiCreditsRolling30DayLimit,
      metricKey: usageMetrics.key,
      unit: usageMetrics.unit,
      defaultLimit: usageMetrics.defaultLimit,
      planLimits: usageMetrics.planLimits,
      overrideMetric: usageLimitOverrides.metric,
      overrideLimit: usageLimitOverrides.limit,
    })
    .from(tenants)
    .leftJoin(
      usageMetrics,
      and(eq(usageMetrics.workspaceId, tenants.workspaceId), eq(usageMetrics.key, metric)),
    )
    .leftJoin(
      usageLimitOverrides,
      and(
        eq(usageLimitOverrides.workspaceId, tenants.workspaceId),
        eq(usageLimitOverrides.tenantId, tenants.id),
        eq(usageLimitOverrides.metric, metric),
      ),
    )
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenantId)));
  if (!row) throw notFound("Tenant", tenantId);
  assertActive(row.status);
  if (row.metricKey === null || row.unit === null || row.planLimits === null)
    throw notFound("Usage metric", metric);
  const resolved = limitOf(
    row,
    { unit: row.unit, defaultLimit: row.defaultLimit, planLimits: row.planLimits },
    row.overrideMetric === null ? null : { limit: row.overrideLimit },
  );
  return resolved.limit;
}

/** Only an active tenant records usage: a suspended or archived one answers 409 tenant_inactive. */
function assertActive(status: TenantLimits["status"]) {
  if (status !== "active") {
    throw appError("CONFLICT", "tenant_inactive", `The tenant is ${status}`, { status });
  }
}
