import { type Executor, rowsOf } from "@tenantry/db/database";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq, sql } from "drizzle-orm";
import type { Actor } from "../actor";
import { appError, notFound } from "../shared/errors";

/**
 * Ownership is the owner role, never the membership's `type` label: an owner is an active member
 * who holds the built-in `owner` role at the tenant, bound to them directly or to a group of theirs.
 */
export async function activeOwnerIds(
  tx: Executor,
  workspaceId: string,
  tenantId: string,
): Promise<Set<string>> {
  const rows = await tx.execute<{ user_id: string }>(sql`
    select m.user_id from memberships m
    where m.workspace_id = ${workspaceId} and m.tenant_id = ${tenantId} and m.status = 'active'
      and exists (
        select 1 from role_bindings b
        join roles r on r.workspace_id = b.workspace_id and r.id = b.role_id and r.key = 'owner'
        where b.workspace_id = m.workspace_id and b.tenant_id = m.tenant_id
          and ((b.subject_type = 'user' and b.subject_id = m.user_id)
            or (b.subject_type = 'group' and exists (
              select 1 from group_members g
              where g.workspace_id = b.workspace_id and g.group_id = b.subject_id and g.user_id = m.user_id))))`);
  return new Set(rowsOf<{ user_id: string }>(rows).map((row) => row.user_id));
}

/**
 * Every change to a tenant's memberships, bindings and groups starts here: the tenant row's lock
 * makes them take turns, so the owner rule and `maxUsers` are checked against what is really there,
 * on every driver and across processes.
 */
export async function lockTenant(tx: Executor, workspaceId: string, tenantId: string) {
  const [tenant] = await tx
    .select({
      id: tenants.id,
      status: tenants.status,
      maxUsers: tenants.maxUsers,
      ownerUserId: tenants.ownerUserId,
    })
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenantId)))
    .for("update");
  if (!tenant) throw notFound("Tenant", tenantId);
  return tenant;
}

/**
 * Refuses a change (rolling back the caller's transaction, which holds the tenant's lock) when it
 * left a tenant that had an active owner (`before`) with none.
 */
export async function assertOwnerKept(
  tx: Executor,
  workspaceId: string,
  tenantId: string,
  before: ReadonlySet<string>,
): Promise<void> {
  if (before.size === 0) return;
  if ((await activeOwnerIds(tx, workspaceId, tenantId)).size > 0) return;
  throw appError(
    "CONFLICT",
    "last_owner",
    "A tenant needs at least one active owner: transfer ownership or make another member an owner first",
  );
}

/** Only the host's backend (or the console), or a member holding the owner role, makes owners. */
export async function assertMayMakeOwners(
  tx: Executor,
  actor: Actor,
  tenantId: string,
  what = "make owners",
): Promise<void> {
  if (actor.type !== "access_token") return;
  const owners = await activeOwnerIds(tx, actor.workspaceId, tenantId);
  if (!actor.userId || !owners.has(actor.userId)) {
    throw appError("FORBIDDEN", "forbidden", `Only an owner of this tenant can ${what}`);
  }
}
