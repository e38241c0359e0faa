import type { Membership, User } from "@tenantry/contracts/members";
import type { Database, Executor } from "@tenantry/db/database";
import { memberships, roleBindings, roles, users } from "@tenantry/db/schema/members";
import { and, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import { isTransaction, prepared } from "../shared/prepared";

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
  if (!isTransaction(tx)) {
    // Outside a transaction (/me and the member reads) the statement is prepared once per
    // connection: the role keys' subquery makes parsing and planning cost more than running it.
    const [row] = await prepared(tx, "membership_by_user", (db) =>
      selectMemberships(db)
        .where(
          and(
            eq(memberships.workspaceId, sql.placeholder("workspaceId")),
            eq(memberships.tenantId, sql.placeholder("tenantId")),
            eq(memberships.userId, sql.placeholder("userId")),
          ),
        )
        .prepare("membership_by_user"),
    ).execute({ workspaceId, tenantId, userId });
    return row;
  }
  const [row] = await selectMemberships(tx).where(
    and(
      eq(memberships.workspaceId, workspaceId),
      eq(memberships.tenantId, tenantId),
      eq(memberships.userId, userId),
    ),
  );
  return row;
}

function selectMemberships(db: Executor) {
  return db
    .select({ membership: memberships, user: users, roleKeys: directRoleKeys })
    .from(memberships)
    .innerJoin(users, and(eq(users.workspaceId, memberships.workspaceId), eq(users.id, memberships.userId)));
}

/**
 * A page of a tenant's memberships, newest first, `limit` rows after `before` (an id) when given.
 * Only `extra` conditions (filters) build the statement per call; the plain pages every member
 * table asks for first are prepared once.
 */
export async function membershipPage(
  db: Database,
  page: { workspaceId: string; tenantId: string; before: string | null; limit: number },
  extra: SQL[],
) {
  if (extra.length === 0 && !isTransaction(db)) {
    const name = page.before ? "memberships_page_after" : "memberships_page_first";
    return prepared(db, name, (d) =>
      selectMemberships(d)
        .where(
          and(
            eq(memberships.workspaceId, sql.placeholder("workspaceId")),
            eq(memberships.tenantId, sql.placeholder("tenantId")),
            page.before ? lt(memberships.id, sql.placeholder("before")) : undefined,
          ),
        )
        .orderBy(desc(memberships.id))
        .limit(sql.placeholder("limit"))
        .prepare(name),
    ).execute(page);
  }
  return selectMemberships(db)
    .where(
      and(
        eq(memberships.workspaceId, page.workspaceId),
        eq(memberships.tenantId, page.tenantId),
        page.before ? lt(memberships.id, page.before) : undefined,
        ...extra,
      ),
    )
    .orderBy(desc(memberships.id))
    .limit(page.limit);
}
