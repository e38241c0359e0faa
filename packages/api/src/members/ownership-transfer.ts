import type { Membership, MembershipType, TransferOwnershipInput } from "@tenantry/contracts/members";
import type { Executor } from "@tenantry/db/database";
import { memberships, roleBindings } from "@tenantry/db/schema/members";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { bindRole, roleByKey } from "../roles/service";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { assertMayMakeOwners, lockTenant } from "./owners";
import { type MembershipRow, membershipRow, toMembership } from "./rows";

/**
 * Makes `toUserId` an owner (type and the owner role) and the tenant's `ownerUserId`; the previous
 * primary owner becomes an admin. One transaction: there is never a moment without an owner.
 */
export async function transferOwnership(
  ctx: ServiceContext,
  input: TransferOwnershipInput,
): Promise<Membership> {
  const workspaceId = ctx.actor.workspaceId;
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const txCtx: ServiceContext = { ...ctx, db: tx };
    const tenant = await lockTenant(tx, workspaceId, input.tenantId);
    let fromUserId = tenant.ownerUserId;
    if (ctx.actor.type === "access_token") {
      // Holding the owner role is what counts, never the `type` label.
      await assertMayMakeOwners(tx, ctx.actor, tenant.id, "transfer ownership");
      fromUserId = ctx.actor.userId;
    }
    const target = await membershipRow(tx, workspaceId, tenant.id, input.toUserId);
    if (!target) throw notFound("Member", input.toUserId);
    if (target.membership.status !== "active") {
      throw appError(
        "CONFLICT",
        "member_inactive",
        `Ownership can only go to an active member; this one is ${target.membership.status}`,
      );
    }
    const ownerRole = await roleByKey(tx, workspaceId, "owner");
    const adminRole = await roleByKey(tx, workspaceId, "admin");

    await setType(tx, target.membership, "owner", now);
    await ensureBinding(tx, txCtx, tenant.id, ownerRole.id, input.toUserId);
    if (fromUserId && fromUserId !== input.toUserId) {
      const previous = await membershipRow(tx, workspaceId, tenant.id, fromUserId);
      if (previous) {
        await setType(tx, previous.membership, "admin", now);
        await tx
          .delete(roleBindings)
          .where(
            and(
              eq(roleBindings.workspaceId, workspaceId),
              eq(roleBindings.tenantId, tenant.id),
              eq(roleBindings.roleId, ownerRole.id),
              eq(roleBindings.subjectType, "user"),
              eq(roleBindings.subjectId, fromUserId),
            ),
          );
        await ensureBinding(tx, txCtx, tenant.id, adminRole.id, fromUserId);
      }
    }
    await tx
      .update(tenants)
      .set({ ownerUserId: input.toUserId, version: sql`${tenants.version} + 1`, updatedAt: now })
      .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenant.id)));
    await recordActivity(tx, ctx, {
      tenantId: tenant.id,
      action: "tenant.ownership_transferred",
      targetType: "tenant",
      targetId: tenant.id,
      before: { ownerUserId: fromUserId },
      after: { ownerUserId: input.toUserId },
    });
    const after = await membershipRow(tx, workspaceId, tenant.id, input.toUserId);
    return toMembership(after!.membership, after!.user, after!.roleKeys);
  });
}

async function setType(tx: Executor, membership: MembershipRow, type: MembershipType, now: Date) {
  if (membership.type === type) return;
  await tx
    .update(memberships)
    .set({ type, version: membership.version + 1, updatedAt: now })
    .where(and(eq(memberships.workspaceId, membership.workspaceId), eq(memberships.id, membership.id)));
}

async function ensureBinding(
  tx: Executor,
  ctx: ServiceContext,
  tenantId: string,
  roleId: string,
  userId: string,
) {
  const [exists] = await tx
    .select({ id: roleBindings.id })
    .from(roleBindings)
    .where(
      and(
        eq(roleBindings.workspaceId, ctx.actor.workspaceId),
        eq(roleBindings.tenantId, tenantId),
        eq(roleBindings.roleId, roleId),
        eq(roleBindings.subjectType, "user"),
        eq(roleBindings.subjectId, userId),
      ),
    );
  if (!exists)
    await bindRole(tx, ctx, { tenantId, roleId, subject: { type: "user", id: userId } }, { trusted: true });
}
