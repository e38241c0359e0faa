import type { TenantActivityAction } from "@tenantry/contracts/activity-actions";
import type { TenantRecord } from "@tenantry/contracts/tenants";
import type { Executor } from "@tenantry/db/database";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { loadFieldSchema, type StoredFields, writeFields } from "../fields/service";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { type TenantRow, toTenant } from "./rows";

export interface TenantChange {
  id: string;
  expectedVersion?: number | undefined;
  /** What the activity log calls the change. */
  action: TenantActivityAction;
}

/**
 * The one path every tenant change takes: lock the row, check `expectedVersion`, write, bump the
 * version and log the diff, all in one transaction. A change that changes nothing writes nothing.
 */
export async function changeTenant(
  ctx: ServiceContext,
  change: TenantChange,
  computeChanges: (current: TenantRow, tx: Executor) => Promise<Partial<TenantRow>>,
): Promise<TenantRecord> {
  const workspaceId = ctx.actor.workspaceId;
  const { id, expectedVersion } = change;
  try {
    return await ctx.db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(tenants)
        .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, id)))
        .for("update");
      if (!current) throw notFound("Tenant", id);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw appError(
          "CONFLICT",
          "version_conflict",
          `The tenant changed since version ${expectedVersion}; it is at version ${current.version}`,
          { currentVersion: current.version },
        );
      }
      const changes = await computeChanges(current, tx);
      const effective = Object.fromEntries(
        Object.entries(changes).filter(
          ([key, value]) =>
            JSON.stringify(value) !== JSON.stringify(current[key as keyof TenantRow] as unknown),
        ),
      );
      if (Object.keys(effective).length === 0) return toTenant(current);
      const [updated] = await tx
        .update(tenants)
        .set({ ...effective, version: sql`${tenants.version} + 1`, updatedAt: ctx.clock.now() })
        .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, id)))
        .returning();
      const before = toTenant(current);
      const after = toTenant(updated!);
      await recordActivity(tx, ctx, {
        tenantId: id,
        action: change.action,
        targetType: "tenant",
        targetId: id,
        before,
        after,
      });
      return after;
    });
  } catch (error) {
    const constraint = violatedUniqueConstraint(error);
    if (constraint === "tenants_slug_unique")
      throw appError("CONFLICT", "slug_taken", "That slug is already taken");
    if (constraint === "tenants_internal_id_unique") {
      throw appError("CONFLICT", "internal_id_taken", "Another tenant already has that internalId");
    }
    throw error;
  }
}

/** The columns that store new field values, checked against the workspace's field schema. */
export async function fieldChanges(
  ctx: ServiceContext,
  tx: Executor,
  current: TenantRow,
  values: Record<string, unknown>,
  options: { mode: "merge" | "replace"; fromTokenClaims: boolean },
): Promise<StoredFields> {
  const { compiled } = await loadFieldSchema(tx, ctx.actor.workspaceId);
  return writeFields({
    compiled,
    keyring: ctx.keyring,
    workspaceId: current.workspaceId,
    tenantId: current.id,
    current: { fields: current.fields, secretFields: current.secretFields },
    values,
    mode: options.mode,
    fromAccessToken: options.fromTokenClaims,
  });
}
