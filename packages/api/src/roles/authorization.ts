import type {
  AuthorizationBatch,
  AuthorizationCheckInput,
  AuthorizationDecision,
} from "@tenantry/contracts/roles";
import { type Database, rowsOf } from "@tenantry/db/database";
import { groupMembers, memberships, roleBindings, roles, users } from "@tenantry/db/schema/members";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq, sql } from "drizzle-orm";
import { readThrough } from "../invalidation/cache";
import { cacheOf } from "../invalidation/listener";
import { assertPermissionsExist } from "../permissions/service";
import { notFound } from "../shared/errors";
import { prepared } from "../shared/prepared";
import type { ServiceContext } from "../shared/service-context";

// Who may do what in a tenant: an active membership first, then the roles bound to the member and
// their groups. Decisions are read from the database or from this process's cache of it, which
// every change to these tables invalidates in its own transaction (invalidation/).

/**
 * The membership and permissions an access token's user (`user.id` = the user's `externalId`) has in
 * a tenant, in one prepared round trip or from the invalidated cache, so a suspension counts on the
 * very next request in every process.
 */
export async function memberForToken(
  db: Database,
  params: { workspaceId: string; tenantId: string; externalUserId: string },
  /** The call's invalidation cache position (see Context). */
  since?: number,
): Promise<{ userId: string; status: string; permissions: string[] } | null> {
  const statement = prepared(db, "member_for_token", (d) =>
    d
      .select({
        userId: users.id,
        status: memberships.status,
        // Driven from the user's subjects (themselves and their groups) into the bindings index, so
        // the cost does not grow with the number of members or bindings in the tenant.
        permissions: sql<string[] | null>`(
          select array_agg(distinct p) from (
            select ${users.id} as subject_id union all
            select gm.group_id from ${groupMembers} gm
            where gm.workspace_id = ${users.workspaceId} and gm.user_id = ${users.id}
          ) s
          join ${roleBindings} b on b.workspace_id = ${users.workspaceId}
            and b.tenant_id = ${memberships.tenantId} and b.subject_id = s.subject_id
          join ${roles} r on r.workspace_id = b.workspace_id and r.id = b.role_id
          cross join lateral unnest(r.permissions) as p)`,
      })
      .from(users)
      .innerJoin(
        memberships,
        and(
          eq(memberships.workspaceId, users.workspaceId),
          eq(memberships.userId, users.id),
          eq(memberships.tenantId, sql.placeholder("tenantId")),
        ),
      )
      .where(
        and(
          eq(users.workspaceId, sql.placeholder("workspaceId")),
          // The tenant's own mapping first; the host's workspace-wide one for members without it.
          // Two lookups by unique index, not one `or` across both tables, which scans the tenant's
          // memberships (60 ms at 10,000 members).
          sql`${memberships.id} = coalesce(
            (select m.id from ${memberships} m
              where m.workspace_id = ${sql.placeholder("workspaceId")} and m.tenant_id = ${sql.placeholder("tenantId")}
                and m.external_id = ${sql.placeholder("externalId")}),
            (select m.id from ${users} u
              join ${memberships} m on m.workspace_id = u.workspace_id and m.user_id = u.id
                and m.tenant_id = ${sql.placeholder("tenantId")}
              where u.workspace_id = ${sql.placeholder("workspaceId")} and u.external_id = ${sql.placeholder("externalId")}
                and m.external_id is null))`,
        ),
      )
      .prepare("member_for_token"),
  );
  // Cached per process (invalidation/): any change to users, memberships, groups, bindings or roles
  // notifies every process in its own transaction; "not a member" is kept too (an insert notifies).
  return readThrough(
    cacheOf(db),
    `member:${params.workspaceId}:${params.tenantId}:${params.externalUserId}`,
    async () => {
      const [row] = await statement.execute({
        workspaceId: params.workspaceId,
        tenantId: params.tenantId,
        externalId: params.externalUserId,
      });
      return row ? { userId: row.userId, status: row.status, permissions: row.permissions ?? [] } : null;
    },
    () => params.workspaceId,
    since,
  );
}

/**
 * The membership and every role bound to the user or their groups in the tenant, ordered by key as
 * the database orders them, in one prepared round trip: this sits on every widget call that asks
 * "may this user…", and is what the cache keeps per member (any permission is then decided in memory).
 */
function memberRolesStatement(db: Database) {
  return prepared(db, "authz_member_roles", (d) =>
    d
      .select({
        status: memberships.status,
        // Spelled out: drizzle leaves columns unqualified in a single-table select.
        roles: sql<unknown>`(
          select json_agg(json_build_object('key', r.key, 'permissions', r.permissions) order by r.key) from (
            select "memberships"."user_id" as subject_id union all
            select gm.group_id from ${groupMembers} gm
            where gm.workspace_id = "memberships"."workspace_id" and gm.user_id = "memberships"."user_id"
          ) s
          join ${roleBindings} b on b.workspace_id = "memberships"."workspace_id"
            and b.tenant_id = "memberships"."tenant_id" and b.subject_id = s.subject_id
          join ${roles} r on r.workspace_id = b.workspace_id and r.id = b.role_id)`,
      })
      .from(memberships)
      .where(
        and(
          eq(memberships.workspaceId, sql.placeholder("workspaceId")),
          eq(memberships.tenantId, sql.placeholder("tenantId")),
          eq(memberships.userId, sql.placeholder("userId")),
        ),
      )
      .prepare("authz_member_roles"),
  );
}

type MemberRoles = { status: string; roles: { key: string; permissions: string[] }[] };

/** A member's status and roles (by key), from the cache or the database; null for no membership. */
function memberRoles(
  db: Database,
  workspaceId: string,
  input: { tenantId: string; userId: string },
  since: number | undefined,
): Promise<MemberRoles | null> {
  return readThrough(
    cacheOf(db),
    `authz:${workspaceId}:${input.tenantId}:${input.userId}`,
    async () => {
      const [row] = await memberRolesStatement(db).execute({ workspaceId, ...input });
      if (!row) return null;
      // json arrives parsed or as text, depending on the driver.
      const parsed = (
        typeof row.roles === "string" ? JSON.parse(row.roles) : row.roles
      ) as MemberRoles["roles"];
      return { status: row.status, roles: parsed ?? [] };
    },
    // "Not a member" is answered with the tenant's and the user's existence, read apart: not kept.
    (member) => (member ? workspaceId : null),
    since,
  );
}

function decide(status: string | null, grantedBy: string | null): AuthorizationDecision {
  if (status === null) return { allowed: false, reason: "not_a_member" };
  if (status !== "active") return { allowed: false, reason: `membership_${status}` };
  return grantedBy
    ? { allowed: true, reason: `granted_by_role:${grantedBy}` }
    : { allowed: false, reason: "no_role_grants_it" };
}

/** `authz.check`: the single form answers one decision, the batch form one per user × permission. */
export async function checkAuthorization(
  ctx: ServiceContext,
  input: AuthorizationCheckInput,
): Promise<AuthorizationDecision | AuthorizationBatch> {
  const { tenantId, userId, userIds, permission, permissions } = input;
  // The contract lets exactly one of each pair through.
  if (userId !== undefined && permission !== undefined) {
    return checkOne(ctx.db, ctx.actor.workspaceId, { tenantId, userId, permission }, ctx.since);
  }
  return checkBatch(ctx.db, ctx.actor.workspaceId, {
    tenantId,
    userIds: userIds ?? [userId!],
    permissions: permissions ?? [permission!],
  });
}

async function checkOne(
  db: Database,
  workspaceId: string,
  input: { tenantId: string; userId: string; permission: string },
  since: number | undefined,
): Promise<AuthorizationDecision> {
  await assertPermissionsExist(db, workspaceId, [input.permission]);
  const membership = await memberRoles(
    db,
    workspaceId,
    { tenantId: input.tenantId, userId: input.userId },
    since,
  );
  if (!membership) {
    const [tenant] = await db
      .select({ id: tenants.id })
      .from(tenants)
      .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, input.tenantId)));
    if (!tenant) throw notFound("Tenant", input.tenantId);
    const [user] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.workspaceId, workspaceId), eq(users.id, input.userId)));
    if (!user) throw notFound("User", input.userId);
    return decide(null, null);
  }
  // The first role by key that grants it, as the database orders keys.
  const grantedBy = membership.roles.find((role) => role.permissions.includes(input.permission));
  return decide(membership.status, grantedBy?.key ?? null);
}

/**
 * Many users × many permissions in one query (plus one for custom keys), however many pairs:
 * for each pair the membership precheck, then the first role (by key) that grants it, through the
 * user's own bindings and their groups' — the same rule as the single check.
 */
async function checkBatch(
  db: Database,
  workspaceId: string,
  input: { tenantId: string; userIds: readonly string[]; permissions: readonly string[] },
): Promise<AuthorizationBatch> {
  const userIds = [...new Set(input.userIds)];
  const keys = [...new Set(input.permissions)];
  await assertPermissionsExist(db, workspaceId, keys);
  const valuesOf = (items: string[]) =>
    sql.join(
      items.map((item, index) => sql`(${item}::text, ${index}::int)`),
      sql`, `,
    );
  const result = await db.execute(sql`
    with u(user_id, ord) as (values ${valuesOf(userIds)}),
         p(permission, ord) as (values ${valuesOf(keys)})
    select u.user_id, p.permission, m.status, (usr.id is not null) as user_exists,
      exists(select 1 from ${tenants} t where t.workspace_id = ${workspaceId} and t.id = ${input.tenantId}) as tenant_exists,
      (select r.key from (
          select u.user_id as subject_id union all
          select gm.group_id from ${groupMembers} gm where gm.workspace_id = ${workspaceId} and gm.user_id = u.user_id
        ) s
        join ${roleBindings} b on b.workspace_id = ${workspaceId} and b.tenant_id = ${input.tenantId}
          and b.subject_id = s.subject_id
        join ${roles} r on r.workspace_id = b.workspace_id and r.id = b.role_id
        where p.permission = any(r.permissions)
        order by r.key limit 1) as granted_by
    from u cross join p
    left join ${users} usr on usr.workspace_id = ${workspaceId} and usr.id = u.user_id
    left join ${memberships} m on m.workspace_id = ${workspaceId} and m.tenant_id = ${input.tenantId}
      and m.user_id = u.user_id
    order by u.ord, p.ord`);
  const rows = rowsOf<{
    user_id: string;
    permission: string;
    status: string | null;
    user_exists: boolean;
    tenant_exists: boolean;
    granted_by: string | null;
  }>(result);
  if (!rows[0]?.tenant_exists) throw notFound("Tenant", input.tenantId);
  const unknownUser = rows.find((row) => !row.user_exists);
  if (unknownUser) throw notFound("User", unknownUser.user_id);
  return {
    results: rows.map((row) => ({
      userId: row.user_id,
      permission: row.permission,
      ...decide(row.status, row.granted_by),
    })),
  };
}
