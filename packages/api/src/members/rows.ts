import type { Membership, User } from "@tenantry/contracts/members";
import type { Executor } from "@tenantry/db/database";
import { memberships, roleBindings, roles, users } from "@tenantry/db/schema/members";
import { and, eq, sql } from "drizzle-orm";

export type UserRow = typeof users.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;

export function toUser(row: UserRow): User {
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

/** `roleKeys`: the keys of the roles bound to the user in this tenant directly, not through groups. */
export function toMembership(row: MembershipRow, user: UserRow, roleKeys: string[] | null): Membership {
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

/** The keys of the roles bound directly to a membership's user in its tenant (a column for selects). */
export const directRoleKeys = sql<string[] | null>`(
  select array_agg(r.key) from ${roleBindings} b
  join ${roles} r on r.workspace_id = b.workspace_id and r.id = b.role_id
  where b.workspace_id = ${memberships.workspaceId} and b.tenant_id = ${memberships.tenantId}
    and b.subject_type = 'user' and b.subject_id = ${memberships.userId})`;

/** A membership with its user and direct role keys, or undefined when the user is no member. */
export async function membershipRow(tx: Executor, workspaceId: string, tenantId: string, userId: string) {
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
