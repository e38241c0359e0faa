import type { TenantActivityAction } from "@tenantry/contracts/activity-actions";
import { normalizeEmail } from "@tenantry/contracts/email";
import type { MembershipSource, MembershipStatus, MembershipType } from "@tenantry/contracts/members";
import type { Database, Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import {
  groupMembers,
  groups,
  invitations,
  memberships,
  roleBindings,
  roles,
  users,
} from "@tenantry/db/schema/members";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, count, desc, eq, ilike, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { type Actor, actorId } from "../actor";
import { requirePermission } from "../auth/access";
import { bindRole, roleByKey } from "../roles/service";
import { base64url, randomBytes, sha256Hex } from "../shared/crypto";
import { decodeCursor, pageOf } from "../shared/cursor";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError, notFound } from "../shared/errors";
import { containsPattern } from "../shared/like";
import { activeOwnerIds, assertMayMakeOwners, assertOwnerKept, lockTenant } from "./owners";

export interface MembersContext {
  db: Database;
  actor: Actor;
  requestId: string;
}

type UserRow = typeof users.$inferSelect;
type MembershipRow = typeof memberships.$inferSelect;

export interface User {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Membership {
  id: string;
  tenantId: string;
  userId: string;
  user: User;
  status: MembershipStatus;
  type: MembershipType;
  source: MembershipSource;
  externalId: string | null;
  invitedBy: string | null;
  joinedAt: string | null;
  /** Keys of the roles bound to the user in this tenant (directly, not through groups). */
  roles: string[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Invitation {
  id: string;
  expiresAt: string;
  /** Only in the answer that created it: Tenantry keeps its hash. */
  token?: string;
}

const INVITATION_DAYS = 7;
/** Memberships that take a seat counted against the tenant's `maxUsers`. */
const SEATED: MembershipStatus[] = ["invited", "active"];

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    firstName: row.firstName,
    lastName: row.lastName,
    externalId: row.externalId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toMembership(row: MembershipRow, user: UserRow, roleKeys: string[] | null): Membership {
  return {
    id: row.id,
    tenantId: row.tenantId,
    userId: row.userId,
    // The tenant's own view of the person: the name this tenant gave, never another tenant's.
    // Its externalId is the one this tenant's tokens use for them.
    user: {
      ...toUser(user),
      firstName: row.firstName,
      lastName: row.lastName,
      externalId: row.externalId ?? user.externalId,
    },
    status: row.status,
    type: row.type,
    source: row.source,
    externalId: row.externalId,
    invitedBy: row.invitedBy,
    joinedAt: row.joinedAt?.toISOString() ?? null,
    roles: [...(roleKeys ?? [])].sort(),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const directRoleKeys = sql<string[] | null>`(
  select array_agg(r.key) from ${roleBindings} b
  join ${roles} r on r.workspace_id = b.workspace_id and r.id = b.role_id
  where b.workspace_id = ${memberships.workspaceId} and b.tenant_id = ${memberships.tenantId}
    and b.subject_type = 'user' and b.subject_id = ${memberships.userId})`;

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

async function membershipRow(tx: Executor, workspaceId: string, tenantId: string, userId: string) {
  const [row] = await tx
    .select({ membership: memberships, user: users, roleKeys: directRoleKeys })
    .from(memberships)
    .innerJoin(users, and(eq(users.workspaceId, memberships.workspaceId), eq(users.id, memberships.userId)))
    .where(
      and(
        eq(memberships.workspaceId, workspaceId),
        eq(memberships.tenantId, tenantId),
        eq(memberships.userId, userId),
      ),
    );
  return row;
}

// ---------------------------------------------------------------------------------------------
// Users

export async function getUser(db: Database, workspaceId: string, id: string): Promise<User> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.id, id)));
  if (!row) throw notFound("User", id);
  return toUser(row);
}

/**
 * The user with this email (normalized), created if new. An `externalId` is set on a user that has
 * none; a user whose `externalId` differs is a conflict, never silently re-linked.
 */
export async function findOrCreateUser(
  tx: Executor,
  workspaceId: string,
  person: {
    email: string;
    firstName?: string | undefined;
    lastName?: string | undefined;
    externalId?: string | undefined;
  },
): Promise<UserRow> {
  const emailNormalized = normalizeEmail(person.email);
  const [existing] = await tx
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.emailNormalized, emailNormalized)));
  if (existing) {
    if (!person.externalId || existing.externalId === person.externalId) return existing;
    if (existing.externalId) {
      throw appError("CONFLICT", "conflict", `The user ${existing.id} has another externalId`, {
        userId: existing.id,
      });
    }
    return setExternalId(tx, existing, person.externalId);
  }
  try {
    const [row] = await tx
      .insert(users)
      .values({
        workspaceId,
        id: newId("user"),
        email: person.email,
        emailNormalized,
        firstName: person.firstName ?? null,
        lastName: person.lastName ?? null,
        externalId: person.externalId ?? null,
      })
      .returning();
    return row!;
  } catch (error) {
    if (violatedUniqueConstraint(error) === "users_external_id_unique") {
      throw appError(
        "CONFLICT",
        "external_id_taken",
        `Another user has the externalId "${person.externalId}"`,
      );
    }
    throw error;
  }
}

/** The host's id names one member per tenant; the answer names no one (the caller may not see them). */
function externalIdTaken(error: unknown): never {
  if (violatedUniqueConstraint(error) === "memberships_external_id_unique") {
    throw appError("CONFLICT", "external_id_taken", "Another member of this tenant has that externalId");
  }
  throw error;
}

async function setExternalId(tx: Executor, user: UserRow, externalId: string): Promise<UserRow> {
  try {
    const [row] = await tx
      .update(users)
      .set({ externalId, updatedAt: new Date() })
      .where(and(eq(users.workspaceId, user.workspaceId), eq(users.id, user.id)))
      .returning();
    return row!;
  } catch (error) {
    if (violatedUniqueConstraint(error) === "users_external_id_unique") {
      throw appError("CONFLICT", "external_id_taken", `Another user has the externalId "${externalId}"`);
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Memberships

export type CreateMembershipInput = {
  tenantId: string;
  type?: MembershipType | undefined;
  status?: "invited" | "active" | undefined;
  source?: MembershipSource | undefined;
  externalId?: string | undefined;
  /** Role keys to bind; default `owner` for owners, else `member`. */
  roles?: string[] | undefined;
  invitationExpiresInDays?: number | undefined;
} & (
  | { userId: string; email?: undefined }
  | { email: string; firstName?: string | undefined; lastName?: string | undefined; userId?: undefined }
);

/** Adds a membership inside the caller's transaction (tenant creation uses it for the first owner). */
export async function addMembership(
  tx: Executor,
  sc: MembersContext,
  input: CreateMembershipInput,
  { trusted = false }: { trusted?: boolean } = {},
): Promise<{ membership: Membership; invitation: Invitation | null }> {
  const workspaceId = sc.actor.workspaceId;
  const tenant = await lockTenant(tx, workspaceId, input.tenantId);
  const status = input.status ?? "invited";
  const type = input.type ?? "member";
  if (type === "owner" && !trusted) await assertMayMakeOwners(tx, sc.actor, tenant.id, 'add an "owner"');

  // A tenant's own caller (a widget's token) writes only to its membership: users are shared by the
  // workspace's tenants, so their names and the host's externalId are the host's to set.
  const tenantLevel = sc.actor.type === "access_token" && !trusted;
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
    } else user = await setExternalId(tx, row, input.externalId);
  } else {
    user = await findOrCreateUser(tx, workspaceId, tenantLevel ? { email: input.email } : input);
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

  const now = new Date();
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
      invitedBy: status === "invited" ? actorId(sc.actor) : null,
      joinedAt: status === "active" ? now : null,
    })
    .returning()
    .catch(externalIdTaken);

  const roleKeys = [...new Set(input.roles ?? [type === "owner" ? "owner" : "member"])];
  for (const key of roleKeys) {
    const role = await roleByKey(tx, workspaceId, key);
    await bindRole(
      tx,
      sc,
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
    );
  }
  await recordActivity(tx, sc, {
    tenantId: tenant.id,
    action: status === "invited" ? "membership.invited" : "membership.created",
    targetType: "membership",
    targetId: row!.id,
    after: { userId: user.id, email: user.email, status, type, roles: roleKeys },
  });
  return { membership: toMembership(row!, user, roleKeys), invitation };
}

export async function createMembership(sc: MembersContext, input: CreateMembershipInput) {
  return sc.db.transaction((tx) => addMembership(tx, sc, input));
}

export async function getMembership(db: Database, workspaceId: string, tenantId: string, userId: string) {
  const row = await membershipRow(db, workspaceId, tenantId, userId);
  if (!row) throw notFound("Member", userId);
  return toMembership(row.membership, row.user, row.roleKeys);
}

export async function listMemberships(
  db: Database,
  workspaceId: string,
  input: {
    tenantId: string;
    status?: MembershipStatus | undefined;
    type?: MembershipType | undefined;
    q?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
): Promise<{ items: Membership[]; nextCursor: string | null }> {
  const conditions: (SQL | undefined)[] = [
    eq(memberships.workspaceId, workspaceId),
    eq(memberships.tenantId, input.tenantId),
  ];
  if (input.cursor) conditions.push(lt(memberships.id, decodeCursor(input.cursor)));
  if (input.status) conditions.push(eq(memberships.status, input.status));
  if (input.type) conditions.push(eq(memberships.type, input.type));
  if (input.q) {
    const pattern = containsPattern(input.q);
    conditions.push(
      or(
        ilike(users.email, pattern),
        ilike(users.firstName, pattern),
        ilike(users.lastName, pattern),
        ilike(sql`coalesce(${users.firstName}, '') || ' ' || coalesce(${users.lastName}, '')`, pattern),
      ),
    );
  }
  const rows = await db
    .select({ membership: memberships, user: users, roleKeys: directRoleKeys })
    .from(memberships)
    .innerJoin(users, and(eq(users.workspaceId, memberships.workspaceId), eq(users.id, memberships.userId)))
    .where(and(...conditions))
    .orderBy(desc(memberships.id))
    .limit(input.limit + 1);
  return pageOf(
    rows.map((r) => toMembership(r.membership, r.user, r.roleKeys)),
    input.limit,
  );
}

const STATUS_ACTIONS: Partial<Record<MembershipStatus, TenantActivityAction>> = {
  suspended: "membership.suspended",
  left: "membership.left",
};

export async function patchMembership(
  sc: MembersContext,
  input: {
    tenantId: string;
    userId: string;
    status?: "active" | "suspended" | "left" | undefined;
    type?: MembershipType | undefined;
    externalId?: string | null | undefined;
    expectedVersion?: number | undefined;
  },
): Promise<Membership> {
  const workspaceId = sc.actor.workspaceId;
  if (sc.actor.type === "access_token") {
    if (sc.actor.userId === input.userId) {
      throw appError(
        "FORBIDDEN",
        "forbidden",
        "Members cannot change their own membership; ask another member",
      );
    }
  }
  return sc.db.transaction(async (tx) => {
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
      await assertMayMakeOwners(tx, sc.actor, tenant.id, 'label a member "owner"');
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
    if (status === "active" && !current.joinedAt) changes.joinedAt = new Date();
    if (current.status === "invited" && status !== "invited")
      await closeInvitations(tx, workspaceId, current.id);

    const [row] = await tx
      .update(memberships)
      .set({ ...changes, version: current.version + 1, updatedAt: new Date() })
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
    await recordActivity(tx, sc, {
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
export async function deleteMembership(
  sc: MembersContext,
  input: { tenantId: string; userId: string },
): Promise<void> {
  const workspaceId = sc.actor.workspaceId;
  // Leaving is self-service (the procedure lets any member of the tenant call it); removing
  // someone else is the members:write permission's.
  if (sc.actor.type === "access_token" && sc.actor.userId !== input.userId) {
    requirePermission(sc.actor, "members:write");
  }
  await sc.db.transaction(async (tx) => {
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
        .set({ ownerUserId: null, updatedAt: new Date() })
        .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenant.id)));
    }
    await recordActivity(tx, sc, {
      tenantId: tenant.id,
      action: "membership.deleted",
      targetType: "membership",
      targetId: current.id,
      before: { userId: input.userId, email: found.user.email, status: current.status, type: current.type },
    });
  });
}

/**
 * Makes `toUserId` an owner (type and the owner role) and the tenant's `ownerUserId`; the previous
 * primary owner becomes an admin. One transaction: there is never a moment without an owner.
 */
export async function transferOwnership(
  sc: MembersContext,
  input: { tenantId: string; toUserId: string },
): Promise<Membership> {
  const workspaceId = sc.actor.workspaceId;
  return sc.db.transaction(async (tx) => {
    const tenant = await lockTenant(tx, workspaceId, input.tenantId);
    let fromUserId = tenant.ownerUserId;
    if (sc.actor.type === "access_token") {
      // Holding the owner role is what counts, never the `type` label.
      await assertMayMakeOwners(tx, sc.actor, tenant.id, "transfer ownership");
      fromUserId = sc.actor.userId;
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

    await setType(tx, workspaceId, target.membership, "owner");
    await ensureBinding(tx, sc, tenant.id, ownerRole.id, input.toUserId);
    if (fromUserId && fromUserId !== input.toUserId) {
      const previous = await membershipRow(tx, workspaceId, tenant.id, fromUserId);
      if (previous) {
        await setType(tx, workspaceId, previous.membership, "admin");
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
        await ensureBinding(tx, sc, tenant.id, adminRole.id, fromUserId);
      }
    }
    await tx
      .update(tenants)
      .set({ ownerUserId: input.toUserId, version: sql`${tenants.version} + 1`, updatedAt: new Date() })
      .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenant.id)));
    await recordActivity(tx, sc, {
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

async function setType(tx: Executor, workspaceId: string, membership: MembershipRow, type: MembershipType) {
  if (membership.type === type) return;
  await tx
    .update(memberships)
    .set({ type, version: membership.version + 1, updatedAt: new Date() })
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.id, membership.id)));
}

async function ensureBinding(
  tx: Executor,
  sc: MembersContext,
  tenantId: string,
  roleId: string,
  userId: string,
) {
  const [exists] = await tx
    .select({ id: roleBindings.id })
    .from(roleBindings)
    .where(
      and(
        eq(roleBindings.workspaceId, sc.actor.workspaceId),
        eq(roleBindings.tenantId, tenantId),
        eq(roleBindings.roleId, roleId),
        eq(roleBindings.subjectType, "user"),
        eq(roleBindings.subjectId, userId),
      ),
    );
  if (!exists)
    await bindRole(tx, sc, { tenantId, roleId, subject: { type: "user", id: userId } }, { trusted: true });
}

// ---------------------------------------------------------------------------------------------
// Invitations

async function issueInvitation(tx: Executor, workspaceId: string, membershipId: string, days: number) {
  const token = `tnt_inv_${base64url(randomBytes(32))}`;
  const expiresAt = new Date(Date.now() + days * 24 * 60 * 60 * 1000);
  const id = newId("inv");
  await tx
    .insert(invitations)
    .values({ workspaceId, id, membershipId, tokenHash: await sha256Hex(token), expiresAt });
  return { id, expiresAt: expiresAt.toISOString(), token };
}

async function closeInvitations(tx: Executor, workspaceId: string, membershipId: string) {
  await tx
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(invitations.workspaceId, workspaceId),
        eq(invitations.membershipId, membershipId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
}

async function invitedMembership(tx: Executor, workspaceId: string, tenantId: string, userId: string) {
  const found = await membershipRow(tx, workspaceId, tenantId, userId);
  if (!found) throw notFound("Member", userId);
  if (found.membership.status !== "invited") {
    throw appError("CONFLICT", "conflict", `The member is ${found.membership.status}, not invited`);
  }
  return found;
}

/** A new token for a pending invitation; the old one stops working. */
export async function resendInvitation(
  sc: MembersContext,
  input: { tenantId: string; userId: string; expiresInDays?: number | undefined },
): Promise<Invitation> {
  const workspaceId = sc.actor.workspaceId;
  return sc.db.transaction(async (tx) => {
    await lockTenant(tx, workspaceId, input.tenantId);
    const found = await invitedMembership(tx, workspaceId, input.tenantId, input.userId);
    await closeInvitations(tx, workspaceId, found.membership.id);
    const invitation = await issueInvitation(
      tx,
      workspaceId,
      found.membership.id,
      input.expiresInDays ?? INVITATION_DAYS,
    );
    await recordActivity(tx, sc, {
      tenantId: input.tenantId,
      action: "membership.invitation_resent",
      targetType: "membership",
      targetId: found.membership.id,
      after: { invitationId: invitation.id, expiresAt: invitation.expiresAt },
    });
    return invitation;
  });
}

/** Withdraws a pending invitation: the membership is marked `left` and frees its seat. */
export async function revokeInvitation(sc: MembersContext, input: { tenantId: string; userId: string }) {
  const workspaceId = sc.actor.workspaceId;
  return sc.db.transaction(async (tx) => {
    await lockTenant(tx, workspaceId, input.tenantId);
    const found = await invitedMembership(tx, workspaceId, input.tenantId, input.userId);
    await closeInvitations(tx, workspaceId, found.membership.id);
    const [row] = await tx
      .update(memberships)
      .set({ status: "left", version: found.membership.version + 1, updatedAt: new Date() })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.id, found.membership.id)))
      .returning();
    await recordActivity(tx, sc, {
      tenantId: input.tenantId,
      action: "membership.invitation_revoked",
      targetType: "membership",
      targetId: found.membership.id,
      before: { status: "invited" },
      after: { status: "left" },
    });
    return toMembership(row!, found.user, found.roleKeys);
  });
}

/**
 * Accepts an invitation by its token (the host's backend calls this when the invited person signs
 * up): single-use, refused once expired or revoked. The membership becomes active.
 */
export async function acceptInvitation(sc: MembersContext, token: string): Promise<Membership> {
  const workspaceId = sc.actor.workspaceId;
  const tokenHash = await sha256Hex(token);
  return sc.db.transaction(async (tx) => {
    const [invitation] = await tx
      .select({ invitation: invitations, tenantId: memberships.tenantId, userId: memberships.userId })
      .from(invitations)
      .innerJoin(
        memberships,
        and(
          eq(memberships.workspaceId, invitations.workspaceId),
          eq(memberships.id, invitations.membershipId),
        ),
      )
      .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.tokenHash, tokenHash)));
    if (!invitation) throw appError("NOT_FOUND", "not_found", "No invitation has this token");
    await lockTenant(tx, workspaceId, invitation.tenantId);
    // Claimed under the tenant's lock: of two accepts at once, one wins and the other sees it used.
    const [claimed] = await tx
      .update(invitations)
      .set({ acceptedAt: new Date() })
      .where(
        and(
          eq(invitations.workspaceId, workspaceId),
          eq(invitations.id, invitation.invitation.id),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          sql`${invitations.expiresAt} > now()`,
        ),
      )
      .returning();
    if (!claimed) {
      const state = invitation.invitation.acceptedAt
        ? "used already"
        : invitation.invitation.revokedAt
          ? "revoked"
          : "expired";
      throw appError("CONFLICT", "invitation_invalid", `The invitation is ${state}`, { state });
    }
    const found = await membershipRow(tx, workspaceId, invitation.tenantId, invitation.userId);
    const now = new Date();
    const [row] = await tx
      .update(memberships)
      .set({
        status: "active",
        joinedAt: found!.membership.joinedAt ?? now,
        version: found!.membership.version + 1,
        updatedAt: now,
      })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.id, found!.membership.id)))
      .returning();
    await recordActivity(tx, sc, {
      tenantId: invitation.tenantId,
      action: "membership.invitation_accepted",
      targetType: "membership",
      targetId: found!.membership.id,
      before: { status: "invited" },
      after: { status: "active" },
    });
    return toMembership(row!, found!.user, found!.roleKeys);
  });
}
