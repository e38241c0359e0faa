import type { TenantActivityAction } from "@tenantry/contracts/activity-actions";
import type {
  CreatedMembership,
  CreateMembershipInput,
  Invitation,
  ListMembershipsInput,
  MemberRef,
  Membership,
  MembershipStatus,
  PatchMembershipInput,
} from "@tenantry/contracts/members";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { groupMembers, groups, memberships, roleBindings, users } from "@tenantry/db/schema/members";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, count, eq, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { actorId } from "../actor";
import { requirePermission } from "../auth/access";
import { bindRole, roleByKey } from "../roles/service";
import { decodeCursor, pageOf } from "../shared/cursor";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError, notFound } from "../shared/errors";
import { containsPattern } from "../shared/like";
import type { ServiceContext } from "../shared/service-context";
import { closeInvitations, INVITATION_DAYS, issueInvitation } from "./invitations";
import { activeOwnerIds, assertMayMakeOwners, assertOwnerKept, lockTenant } from "./owners";
import { type MembershipRow, membershipPage, membershipRow, toMembership, type UserRow } from "./rows";
import { findOrCreateUser, setExternalId } from "./users";

/** Memberships that take a seat counted against the tenant's `maxUsers`. */
const SEATED: MembershipStatus[] = ["invited", "active"];

async function countMemberships(
  tx: Executor,
  workspaceId: string,
  tenantId: string,
  where: SQL,
): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.tenantId, tenantId), where));
  return row!.n;
}

async function assertSeatFree(
  tx: Executor,
  workspaceId: string,
  tenant: { id: string; maxUsers: number | null },
) {
  if (tenant.maxUsers === null) return;
  const used = await countMemberships(tx, workspaceId, tenant.id, inArray(memberships.status, SEATED));
  if (used >= tenant.maxUsers) {
    throw appError(
      "CONFLICT",
      "seat_limit_reached",
      `The tenant has ${used} of ${tenant.maxUsers} seats taken (active and invited members)`,
      { maxUsers: tenant.maxUsers, used },
    );
  }
}

/** The host's id names one member per tenant; the answer names no one (the caller may not see them). */
function externalIdTaken(error: unknown): never {
  if (violatedUniqueConstraint(error) === "memberships_external_id_unique") {
    throw appError("CONFLICT", "external_id_taken", "Another member of this tenant has that externalId");
  }
  throw error;
}

/** Adds a membership inside the caller's transaction (tenant creation uses it for the first owner). */
export async function addMembership(
  tx: Executor,
  context: ServiceContext,
  input: CreateMembershipInput,
  { trusted = false }: { trusted?: boolean } = {},
): Promise<{ membership: Membership; invitation: Invitation | null }> {
  const ctx: ServiceContext = { ...context, db: tx };
  const workspaceId = ctx.actor.workspaceId;
  const now = ctx.clock.now();
  const tenant = await lockTenant(tx, workspaceId, input.tenantId);
  const status = input.status ?? "invited";
  const type = input.type ?? "member";
  if (type === "owner" && !trusted) await assertMayMakeOwners(tx, ctx.actor, tenant.id, 'add an "owner"');

  // A tenant's own caller (a widget's token) writes only to its membership: users are shared by the
  // workspace's tenants, so their names and the host's externalId are the host's to set.
  const tenantLevel = ctx.actor.type === "access_token" && !trusted;
  let user: UserRow;
  if (input.userId !== undefined) {
    const [row] = await tx
      .select()
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), eq(users.id, input.userId)));
    if (!row) throw notFound("User", input.userId);
    if (tenantLevel || !input.externalId || row.externalId === input.externalId) user = row;
    else if (row.externalId) {
      throw appError("CONFLICT", "conflict", `The user ${row.id} has another externalId`, { userId: row.id });
    } else user = await setExternalId(tx, row, input.externalId, now);
  } else if (input.email !== undefined) {
    const person = tenantLevel ? { email: input.email } : { ...input, email: input.email };
    user = await findOrCreateUser(tx, workspaceId, person, now);
  } else {
    // The contract refuses this before it gets here; a caller inside Tenantry is held to the same rule.
    throw appError("BAD_REQUEST", "invalid_input", "give either email or userId");
  }

  const [already] = await tx
    .select({ id: memberships.id, status: memberships.status })
    .from(memberships)
    .where(
      and(
        eq(memberships.workspaceId, workspaceId),
        eq(memberships.tenantId, tenant.id),
        eq(memberships.userId, user.id),
      ),
    );
  if (already) {
    throw appError(
      "CONFLICT",
      "membership_exists",
      `The user ${user.id} is a member of this tenant already`,
      {
        userId: user.id,
        status: already.status,
      },
    );
  }
  await assertSeatFree(tx, workspaceId, tenant);

  const [row] = await tx
    .insert(memberships)
    .values({
      workspaceId,
      id: newId("mbr"),
      tenantId: tenant.id,
      userId: user.id,
      status,
      type,
      source: input.source ?? (status === "invited" ? "invite" : "api"),
      externalId: input.externalId ?? null,
      firstName:
        (input.userId === undefined ? input.firstName : undefined) ?? (tenantLevel ? null : user.firstName),
      lastName:
        (input.userId === undefined ? input.lastName : undefined) ?? (tenantLevel ? null : user.lastName),
      invitedBy: status === "invited" ? actorId(ctx.actor) : null,
      joinedAt: status === "active" ? now : null,
    })
    .returning()
    .catch(externalIdTaken);

  const roleKeys = [...new Set(input.roles ?? [type === "owner" ? "owner" : "member"])];
  for (const key of roleKeys) {
    const role = await roleByKey(tx, workspaceId, key);
    await bindRole(
      tx,
      ctx,
      { tenantId: tenant.id, roleId: role.id, subject: { type: "user", id: user.id } },
      { trusted },
    );
  }

  let invitation: Invitation | null = null;
  if (status === "invited") {
    invitation = await issueInvitation(
      tx,
      workspaceId,
      row!.id,
      input.invitationExpiresInDays ?? INVITATION_DAYS,
      now,
    );
  }
  await recordActivity(tx, ctx, {
    tenantId: tenant.id,
    action: status === "invited" ? "membership.invited" : "membership.created",
    targetType: "membership",
    targetId: row!.id,
    after: { userId: user.id, email: user.email, status, type, roles: roleKeys },
  });
  return { membership: toMembership(row!, user, roleKeys), invitation };
}

/** A new member, invited (with the invitation's token, shown once) or active. */
export async function createMembership(
  ctx: ServiceContext,
  input: CreateMembershipInput,
): Promise<CreatedMembership> {
  const { membership, invitation } = await ctx.db.transaction((tx) => addMembership(tx, ctx, input));
  return { ...membership, invitation };
}

export async function getMembership(ctx: ServiceContext, input: MemberRef): Promise<Membership> {
  const row = await membershipRow(ctx.db, ctx.actor.workspaceId, input.tenantId, input.userId);
  if (!row) throw notFound("Member", input.userId);
  return toMembership(row.membership, row.user, row.roleKeys);
}

export async function listMemberships(
  ctx: ServiceContext,
  input: ListMembershipsInput,
): Promise<{ items: Membership[]; nextCursor: string | null }> {
  const filters: SQL[] = [];
  if (input.status) filters.push(eq(memberships.status, input.status));
  if (input.type) filters.push(eq(memberships.type, input.type));
  if (input.q) {
    const pattern = containsPattern(input.q);
    filters.push(
      or(
        ilike(users.email, pattern),
        ilike(users.firstName, pattern),
        ilike(users.lastName, pattern),
        ilike(sql`coalesce(${users.firstName}, '') || ' ' || coalesce(${users.lastName}, '')`, pattern),
      )!,
    );
  }
  const rows = await membershipPage(
    ctx.db,
    {
      workspaceId: ctx.actor.workspaceId,
      tenantId: input.tenantId,
      before: input.cursor ? decodeCursor(input.cursor) : null,
      limit: input.limit + 1,
    },
    filters,
  );
  return pageOf(
    rows.map((r) => toMembership(r.membership, r.user, r.roleKeys)),
    input.limit,
  );
}

const STATUS_ACTIONS: Partial<Record<MembershipStatus, TenantActivityAction>> = {
  suspended: "membership.suspended",
  left: "membership.left",
};

export async function patchMembership(ctx: ServiceContext, input: PatchMembershipInput): Promise<Membership> {
  const workspaceId = ctx.actor.workspaceId;
  if (ctx.actor.type === "access_token") {
    if (ctx.actor.userId === input.userId) {
      throw appError(
        "FORBIDDEN",
        "forbidden",
        "Members cannot change their own membership; ask another member",
      );
    }
  }
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const tenant = await lockTenant(tx, workspaceId, input.tenantId);
    const found = await membershipRow(tx, workspaceId, tenant.id, input.userId);
    if (!found) throw notFound("Member", input.userId);
    const current = found.membership;
    if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
      throw appError(
        "CONFLICT",
        "version_conflict",
        `The membership changed since version ${input.expectedVersion}; it is at version ${current.version}`,
        { currentVersion: current.version },
      );
    }
    const status = input.status ?? current.status;
    const type = input.type ?? current.type;
    // `type` is a label, never a permission; still, only those who may make owners may use "owner".
    if (type === "owner" && current.type !== "owner") {
      await assertMayMakeOwners(tx, ctx.actor, tenant.id, 'label a member "owner"');
    }
    const ownersBefore = await activeOwnerIds(tx, workspaceId, tenant.id);
    if (!SEATED.includes(current.status) && SEATED.includes(status))
      await assertSeatFree(tx, workspaceId, tenant);

    const changes: Partial<MembershipRow> = {};
    if (status !== current.status) changes.status = status;
    if (type !== current.type) changes.type = type;
    if (input.externalId !== undefined && input.externalId !== current.externalId)
      changes.externalId = input.externalId;
    if (Object.keys(changes).length === 0) return toMembership(current, found.user, found.roleKeys);
    if (status === "active" && !current.joinedAt) changes.joinedAt = now;
    if (current.status === "invited" && status !== "invited")
      await closeInvitations(tx, workspaceId, current.id, now);

    const [row] = await tx
      .update(memberships)
      .set({ ...changes, version: current.version + 1, updatedAt: now })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.id, current.id)))
      .returning()
      .catch(externalIdTaken);
    await assertOwnerKept(tx, workspaceId, tenant.id, ownersBefore);
    const action =
      changes.status === "active"
        ? current.status === "invited"
          ? "membership.activated"
          : "membership.reactivated"
        : changes.status
          ? STATUS_ACTIONS[changes.status]!
          : changes.type
            ? "membership.type_changed"
            : "membership.updated";
    await recordActivity(tx, ctx, {
      tenantId: tenant.id,
      action,
      targetType: "membership",
      targetId: current.id,
      before: Object.fromEntries(
        Object.keys(changes).map((k) => [k, current[k as keyof MembershipRow] ?? null]),
      ),
      after: Object.fromEntries(
        Object.entries(changes).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
      ),
    });
    return toMembership(row!, found.user, found.roleKeys);
  });
}

/** Drops the membership, its role bindings and group places in the tenant; the user stays. */
export async function deleteMembership(ctx: ServiceContext, input: MemberRef): Promise<void> {
  const workspaceId = ctx.actor.workspaceId;
  // Leaving is self-service (the procedure lets any member of the tenant call it); removing
  // someone else is the members:write permission's.
  if (ctx.actor.type === "access_token" && ctx.actor.userId !== input.userId) {
    requirePermission(ctx.actor, "members:write");
  }
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const tenant = await lockTenant(tx, workspaceId, input.tenantId);
    const found = await membershipRow(tx, workspaceId, tenant.id, input.userId);
    if (!found) throw notFound("Member", input.userId);
    const current = found.membership;
    const ownersBefore = await activeOwnerIds(tx, workspaceId, tenant.id);
    await tx
      .delete(roleBindings)
      .where(
        and(
          eq(roleBindings.workspaceId, workspaceId),
          eq(roleBindings.tenantId, tenant.id),
          eq(roleBindings.subjectType, "user"),
          eq(roleBindings.subjectId, input.userId),
        ),
      );
    await tx.delete(groupMembers).where(
      and(
        eq(groupMembers.workspaceId, workspaceId),
        eq(groupMembers.userId, input.userId),
        inArray(
          groupMembers.groupId,
          tx
            .select({ id: groups.id })
            .from(groups)
            .where(and(eq(groups.workspaceId, workspaceId), eq(groups.tenantId, tenant.id))),
        ),
      ),
    );
    await tx
      .delete(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.id, current.id)));
    await assertOwnerKept(tx, workspaceId, tenant.id, ownersBefore);
    if (tenant.ownerUserId === input.userId) {
      await tx
        .update(tenants)
        .set({ ownerUserId: null, updatedAt: now })
        .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenant.id)));
    }
    await recordActivity(tx, ctx, {
      tenantId: tenant.id,
      action: "membership.deleted",
      targetType: "membership",
      targetId: current.id,
      before: { userId: input.userId, email: found.user.email, status: current.status, type: current.type },
    });
  });
}
