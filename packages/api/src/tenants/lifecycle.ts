import type { TenantActivityAction } from "@tenantry/contracts/activity-actions";
import type { DeletedTenant, StatusChangeInput, Tenant } from "@tenantry/contracts/tenants";
import { scopes } from "@tenantry/db/schema/scopes";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { changeTenant } from "./change";
import { withFieldsStatusOne } from "./fields-status";
import { type TenantStatus, toTenant } from "./rows";

const STATUS_ACTIONS: Record<TenantStatus, TenantActivityAction> = {
  active: "tenant.activated",
  suspended: "tenant.suspended",
  archived: "tenant.archived",
};

async function setTenantStatus(ctx: ServiceContext, input: StatusChangeInput, status: TenantStatus) {
  const changed = await changeTenant(
    ctx,
    { id: input.id, expectedVersion: input.expectedVersion, action: STATUS_ACTIONS[status] },
    async () => ({ status }),
  );
  return withFieldsStatusOne(ctx.db, ctx.actor.workspaceId, changed);
}

export function suspendTenant(ctx: ServiceContext, input: StatusChangeInput): Promise<Tenant> {
  return setTenantStatus(ctx, input, "suspended");
}

export function archiveTenant(ctx: ServiceContext, input: StatusChangeInput): Promise<Tenant> {
  return setTenantStatus(ctx, input, "archived");
}

/** Makes a suspended or archived tenant active again. */
export function activateTenant(ctx: ServiceContext, input: StatusChangeInput): Promise<Tenant> {
  return setTenantStatus(ctx, input, "active");
}

/** Deletes the tenant and its scope; its activity log stays. */
export async function deleteTenant(ctx: ServiceContext, input: StatusChangeInput): Promise<DeletedTenant> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(tenants)
      .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, input.id)))
      .for("update");
    if (!current) throw notFound("Tenant", input.id);
    if (input.expectedVersion !== undefined && current.version !== input.expectedVersion) {
      throw appError("CONFLICT", "version_conflict", `The tenant is at version ${current.version}`, {
        currentVersion: current.version,
      });
    }
    await tx.delete(tenants).where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, input.id)));
    await tx.delete(scopes).where(and(eq(scopes.workspaceId, workspaceId), eq(scopes.id, current.scopeId)));
    await recordActivity(tx, ctx, {
      tenantId: input.id,
      action: "tenant.deleted",
      targetType: "tenant",
      targetId: input.id,
      before: toTenant(current),
    });
    return { id: input.id, deleted: true as const };
  });
}
