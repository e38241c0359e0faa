import { BUILT_IN_ROLES } from "@tenantry/contracts/permissions";
import { type Database, type Executor, rowsOf } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { groupMembers, groups, memberships, roleBindings, roles, users } from "@tenantry/db/schema/members";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { Actor } from "../actor";
import { hasPermission, requirePermission } from "../auth/access";
import { activeOwnerIds, assertMayMakeOwners, assertOwnerKept, lockTenant } from "../members/owners";
import { assertPermissionsExist, lockCustomPermissions } from "../permissions/service";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError, notFound } from "../shared/errors";
import { prepared } from "../shared/prepared";

export interface RolesContext {
  db: Database;
  actor: Actor;
  requestId: string;
}

type RoleRow = typeof roles.$inferSelect;

export interface Role {
  id: string;
  key: string;
  name: string;
  description: string | null;
  permissions: string[];
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
}

function toRole(row: RoleRow): Role {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    permissions: [...row.permissions].sort(),
    builtIn: row.builtIn,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Seeds the built-in roles once per workspace; later calls change nothing (a workspace may edit them). */
export async function ensureBuiltInRoles(db: Executor, workspaceId: string): Promise<void> {
  await db
    .insert(roles)
    .values(
      BUILT_IN_ROLES.map((role) => ({
        workspaceId,
        id: newId("role"),
        key: role.key,
        name: role.name,
        description: role.description,
        permissions: role.permissions,
        builtIn: true,
      })),
    )
    .onConflictDoNothing();
}

export async function roleByKey(db: Executor, workspaceId: string, key: string): Promise<RoleRow> {
  let [row] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.key, key)));
  if (!row && BUILT_IN_ROLES.some((role) => role.key === key)) {
    await ensureBuiltInRoles(db, workspaceId);
    [row] = await db
      .select()
      .from(roles)
      .where(and(eq(roles.workspaceId, workspaceId), eq(roles.key, key)));
  }
  if (!row) throw appError("BAD_REQUEST", "invalid_input", `There is no role with the key "${key}"`);
  return row;
}

export async function listRoles(db: Database, workspaceId: string): Promise<Role[]> {
  await ensureBuiltInRoles(db, workspaceId);
  const rows = await db
    .select()
    .from(roles)
    .where(eq(roles.workspaceId, workspaceId))
    .orderBy(asc(roles.key));
  return rows.map(toRole);
}

export async function getRole(db: Executor, workspaceId: string, id: string): Promise<Role> {
  const [row] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, id)));
  if (!row) throw notFound("Role", id);
  return toRole(row);
}

export async function createRole(
  sc: RolesContext,
  input: { key: string; name: string; description?: string | undefined; permissions: string[] },
): Promise<Role> {
  const workspaceId = sc.actor.workspaceId;
  return sc.db.transaction(async (tx) => {
    await lockCustomPermissions(tx, workspaceId, input.permissions);
    await ensureBuiltInRoles(tx, workspaceId);
    const [row] = await tx
      .insert(roles)
      .values({
        workspaceId,
        id: newId("role"),
        key: input.key,
        name: input.name,
        description: input.description ?? null,
        permissions: [...new Set(input.permissions)],
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw appError("CONFLICT", "conflict", `A role with the key "${input.key}" exists already`);
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "role.created",
      targetType: "role",
      targetId: row.id,
      after: { key: row.key, name: row.name, permissions: row.permissions },
    });
    return toRole(row);
  });
}

export async function updateRole(
  sc: RolesContext,
  input: {
    id: string;
    name?: string | undefined;
    description?: string | null | undefined;
    permissions?: string[] | undefined;
  },
): Promise<Role> {
  const workspaceId = sc.actor.workspaceId;
  return sc.db.transaction(async (tx) => {
    // The custom keys first (FOR SHARE), then the role: the order deleting a permission takes too.
    if (input.permissions) await lockCustomPermissions(tx, workspaceId, input.permissions);
    const [current] = await tx
      .select()
      .from(roles)
      .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, input.id)))
      .for("update");
    if (!current) throw notFound("Role", input.id);
    const next = {
      name: input.name ?? current.name,
      description: input.description === undefined ? current.description : input.description,
      permissions: input.permissions ? [...new Set(input.permissions)] : current.permissions,
    };
    const [row] = await tx
      .update(roles)
      .set({ ...next, updatedAt: new Date() })
      .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, input.id)))
      .returning();
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "role.updated",
      targetType: "role",
      targetId: input.id,
      before: { name: current.name, description: current.description, permissions: current.permissions },
      after: next,
    });
    return toRole(row!);
  });
}

export async function deleteRole(sc: RolesContext, id: string): Promise<void> {
  const workspaceId = sc.actor.workspaceId;
  await sc.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(roles)
      .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, id)))
      .for("update");
    if (!current) throw notFound("Role", id);
    if (current.builtIn) {
      throw appError(
        "CONFLICT",
        "conflict",
        `The built-in role "${current.key}" can be changed but not deleted`,
      );
    }
    await tx.delete(roles).where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, id)));
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "role.deleted",
      targetType: "role",
      targetId: id,
      before: { key: current.key, permissions: current.permissions },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Permissions of a member

/**
 * The membership and permissions an access token's user (`user.id` = the user's `externalId`) has in
 * a tenant, in one prepared round trip. Read on every request, uncached, so a suspension counts on
 * the very next request in every process.
 */
export async function memberForToken(
  db: Database,
  params: { workspaceId: string; tenantId: string; externalUserId: string },
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
          sql`(${memberships.externalId} = ${sql.placeholder("externalId")} or (${memberships.externalId} is null and ${users.externalId} = ${sql.placeholder("externalId")}))`,
        ),
      )
      .orderBy(sql`${memberships.externalId} is null`)
      .limit(1)
      .prepare("member_for_token"),
  );
  const [row] = await statement.execute({
    workspaceId: params.workspaceId,
    tenantId: params.tenantId,
    externalId: params.externalUserId,
  });
  return row ? { userId: row.userId, status: row.status, permissions: row.permissions ?? [] } : null;
}

/**
 * The membership precheck and the first role (by key) that grants the permission, in one prepared
 * round trip: this sits on every widget call that asks "may this user…".
 */
function authorizationStatement(db: Database) {
  return prepared(db, "authz_check", (d) =>
    d
      .select({
        status: memberships.status,
        // Spelled out: drizzle leaves columns unqualified in a single-table select.
        grantedBy: sql<string | null>`(
          select r.key from (
            select "memberships"."user_id" as subject_id union all
            select gm.group_id from ${groupMembers} gm
            where gm.workspace_id = "memberships"."workspace_id" and gm.user_id = "memberships"."user_id"
          ) s
          join ${roleBindings} b on b.workspace_id = "memberships"."workspace_id"
            and b.tenant_id = "memberships"."tenant_id" and b.subject_id = s.subject_id
          join ${roles} r on r.workspace_id = b.workspace_id and r.id = b.role_id
          where ${sql.placeholder("permission")}::text = any(r.permissions)
          order by r.key limit 1)`,
      })
      .from(memberships)
      .where(
        and(
          eq(memberships.workspaceId, sql.placeholder("workspaceId")),
          eq(memberships.tenantId, sql.placeholder("tenantId")),
          eq(memberships.userId, sql.placeholder("userId")),
        ),
      )
      .prepare("authz_check"),
  );
}

export interface AuthorizationDecision {
  allowed: boolean;
  reason: string;
}

function decide(status: string | null, grantedBy: string | null): AuthorizationDecision {
  if (status === null) return { allowed: false, reason: "not_a_member" };
  if (status !== "active") return { allowed: false, reason: `membership_${status}` };
  return grantedBy
    ? { allowed: true, reason: `granted_by_role:${grantedBy}` }
    : { allowed: false, reason: "no_role_grants_it" };
}

export async function checkAuthorization(
  db: Database,
  workspaceId: string,
  input: { tenantId: string; userId: string; permission: string },
): Promise<AuthorizationDecision> {
  await assertPermissionsExist(db, workspaceId, [input.permission]);
  const [membership] = await authorizationStatement(db).execute({ workspaceId, ...input });
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
  return decide(membership.status, membership.grantedBy);
}

/**
 * Many users × many permissions in one query (plus one for custom keys), however many pairs:
 * for each pair the membership precheck, then the first role (by key) that grants it, through the
 * user's own bindings and their groups' — the same rule as the single check.
 */
export async function checkAuthorizationBatch(
  db: Database,
  workspaceId: string,
  input: { tenantId: string; userIds: readonly string[]; permissions: readonly string[] },
): Promise<{ results: (AuthorizationDecision & { userId: string; permission: string })[] }> {
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

// ---------------------------------------------------------------------------------------------
// Role bindings

export interface RoleBinding {
  id: string;
  tenantId: string;
  roleId: string;
  roleKey: string;
  subject: { type: "user" | "group"; id: string };
  createdAt: string;
}

/** An access token may grant only what it holds itself, so no member can raise their own rights. */
function assertMayGrant(actor: Actor, permissions: readonly string[]): void {
  requirePermission(actor, "roles:write");
  const missing = permissions.filter((p) => !hasPermission(actor, p));
  if (missing.length > 0) {
    throw appError(
      "FORBIDDEN",
      "forbidden",
      `You cannot grant permissions you do not hold: ${missing.join(", ")}`,
      {
        missing,
      },
    );
  }
}

async function assertSubjectInTenant(
  tx: Executor,
  workspaceId: string,
  tenantId: string,
  subject: { type: "user" | "group"; id: string },
): Promise<void> {
  if (subject.type === "user") {
    const [row] = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .where(
        and(
          eq(memberships.workspaceId, workspaceId),
          eq(memberships.tenantId, tenantId),
          eq(memberships.userId, subject.id),
        ),
      );
    if (!row) throw notFound("Member", subject.id);
  } else {
    const [row] = await tx
      .select({ id: groups.id })
      .from(groups)
      .where(
        and(eq(groups.workspaceId, workspaceId), eq(groups.tenantId, tenantId), eq(groups.id, subject.id)),
      );
    if (!row) throw notFound("Group", subject.id);
  }
}

export async function bindRole(
  tx: Executor,
  sc: RolesContext,
  input: { tenantId: string; roleId: string; subject: { type: "user" | "group"; id: string } },
  /** Tenantry's own steps (a new tenant's first owner) bind without the caller's grant check. */
  { trusted = false }: { trusted?: boolean } = {},
): Promise<RoleBinding> {
  const workspaceId = sc.actor.workspaceId;
  const [role] = await tx
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, input.roleId)));
  if (!role) throw notFound("Role", input.roleId);
  if (sc.actor.type === "access_token" && !trusted) {
    assertMayGrant(sc.actor, role.permissions);
    if (role.key === "owner") await assertMayMakeOwners(tx, sc.actor, input.tenantId);
  }
  await assertSubjectInTenant(tx, workspaceId, input.tenantId, input.subject);
  const [row] = await tx
    .insert(roleBindings)
    .values({
      workspaceId,
      id: newId("rb"),
      tenantId: input.tenantId,
      roleId: role.id,
      subjectType: input.subject.type,
      subjectId: input.subject.id,
    })
    .onConflictDoNothing()
    .returning();
  if (!row)
    throw appError(
      "CONFLICT",
      "conflict",
      `The role "${role.key}" is bound to that ${input.subject.type} already`,
    );
  await recordActivity(tx, sc, {
    tenantId: input.tenantId,
    action: "role_binding.created",
    targetType: "role_binding",
    targetId: row.id,
    after: { role: role.key, subject: input.subject },
  });
  return toBinding(row, role.key);
}

function toBinding(row: typeof roleBindings.$inferSelect, roleKey: string): RoleBinding {
  return {
    id: row.id,
    tenantId: row.tenantId,
    roleId: row.roleId,
    roleKey,
    subject: { type: row.subjectType, id: row.subjectId },
    createdAt: row.createdAt.toISOString(),
  };
}

export async function createRoleBinding(
  sc: RolesContext,
  input: { tenantId: string; roleId: string; subject: { type: "user" | "group"; id: string } },
): Promise<RoleBinding> {
  return sc.db.transaction((tx) => bindRole(tx, sc, input));
}

export async function listRoleBindings(
  db: Database,
  workspaceId: string,
  input: { tenantId: string; subjectType?: "user" | "group" | undefined; subjectId?: string | undefined },
): Promise<RoleBinding[]> {
  const rows = await db
    .select({ binding: roleBindings, roleKey: roles.key })
    .from(roleBindings)
    .innerJoin(roles, and(eq(roles.workspaceId, roleBindings.workspaceId), eq(roles.id, roleBindings.roleId)))
    .where(
      and(
        eq(roleBindings.workspaceId, workspaceId),
        eq(roleBindings.tenantId, input.tenantId),
        input.subjectType ? eq(roleBindings.subjectType, input.subjectType) : undefined,
        input.subjectId ? eq(roleBindings.subjectId, input.subjectId) : undefined,
      ),
    )
    .orderBy(asc(roleBindings.id));
  return rows.map((r) => toBinding(r.binding, r.roleKey));
}

export async function deleteRoleBinding(
  sc: RolesContext,
  input: { tenantId: string; id: string },
): Promise<void> {
  const workspaceId = sc.actor.workspaceId;
  await sc.db.transaction(async (tx) => {
    await lockTenant(tx, workspaceId, input.tenantId);
    const ownersBefore = await activeOwnerIds(tx, workspaceId, input.tenantId);
    const [found] = await tx
      .select({ binding: roleBindings, role: roles })
      .from(roleBindings)
      .innerJoin(
        roles,
        and(eq(roles.workspaceId, roleBindings.workspaceId), eq(roles.id, roleBindings.roleId)),
      )
      .where(
        and(
          eq(roleBindings.workspaceId, workspaceId),
          eq(roleBindings.tenantId, input.tenantId),
          eq(roleBindings.id, input.id),
        ),
      );
    if (!found) throw notFound("Role binding", input.id);
    if (sc.actor.type === "access_token") assertMayGrant(sc.actor, found.role.permissions);
    await tx
      .delete(roleBindings)
      .where(and(eq(roleBindings.workspaceId, workspaceId), eq(roleBindings.id, input.id)));
    await assertOwnerKept(tx, workspaceId, input.tenantId, ownersBefore);
    await recordActivity(tx, sc, {
      tenantId: input.tenantId,
      action: "role_binding.deleted",
      targetType: "role_binding",
      targetId: input.id,
      before: {
        role: found.role.key,
        subject: { type: found.binding.subjectType, id: found.binding.subjectId },
      },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Groups

export interface Group {
  id: string;
  tenantId: string;
  name: string;
  memberUserIds: string[];
  createdAt: string;
}

export async function createGroup(
  sc: RolesContext,
  input: { tenantId: string; name: string },
): Promise<Group> {
  const workspaceId = sc.actor.workspaceId;
  return sc.db.transaction(async (tx) => {
    // The tenant first, so an unknown one is a plain 404 (not a foreign key violation; one that is
    // deleted between this read and the insert still is, and answers 404 through databaseInputError).
    const [tenant] = await tx
      .select({ id: tenants.id })
      .from(tenants)
      .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, input.tenantId)));
    if (!tenant) throw notFound("Tenant", input.tenantId);
    try {
      const [row] = await tx
        .insert(groups)
        .values({ workspaceId, id: newId("grp"), tenantId: input.tenantId, name: input.name })
        .returning();
      await recordActivity(tx, sc, {
        tenantId: input.tenantId,
        action: "group.created",
        targetType: "group",
        targetId: row!.id,
        after: { name: input.name },
      });
      return {
        id: row!.id,
        tenantId: row!.tenantId,
        name: row!.name,
        memberUserIds: [],
        createdAt: row!.createdAt.toISOString(),
      };
    } catch (error) {
      if (violatedUniqueConstraint(error) === "groups_name_unique") {
        throw appError("CONFLICT", "conflict", `The tenant has a group named "${input.name}" already`);
      }
      throw error;
    }
  });
}

export async function listGroups(db: Database, workspaceId: string, tenantId: string): Promise<Group[]> {
  const rows = await db
    .select()
    .from(groups)
    .where(and(eq(groups.workspaceId, workspaceId), eq(groups.tenantId, tenantId)))
    .orderBy(asc(groups.name));
  if (rows.length === 0) return [];
  const members = await db
    .select({ groupId: groupMembers.groupId, userId: groupMembers.userId })
    .from(groupMembers)
    .where(
      and(
        eq(groupMembers.workspaceId, workspaceId),
        inArray(
          groupMembers.groupId,
          rows.map((r) => r.id),
        ),
      ),
    )
    .orderBy(asc(groupMembers.userId));
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    memberUserIds: members.filter((m) => m.groupId === row.id).map((m) => m.userId),
    createdAt: row.createdAt.toISOString(),
  }));
}

/** The permissions a group's bindings grant: a token adding someone to it must hold them all. */
async function groupHoldsOwnerRole(tx: Executor, workspaceId: string, groupId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: roleBindings.id })
    .from(roleBindings)
    .innerJoin(roles, and(eq(roles.workspaceId, roleBindings.workspaceId), eq(roles.id, roleBindings.roleId)))
    .where(
      and(
        eq(roleBindings.workspaceId, workspaceId),
        eq(roleBindings.subjectType, "group"),
        eq(roleBindings.subjectId, groupId),
        eq(roles.key, "owner"),
      ),
    );
  return row !== undefined;
}

async function groupPermissions(tx: Executor, workspaceId: string, groupId: string): Promise<string[]> {
  const rows = await tx
    .select({ permissions: roles.permissions })
    .from(roleBindings)
    .innerJoin(roles, and(eq(roles.workspaceId, roleBindings.workspaceId), eq(roles.id, roleBindings.roleId)))
    .where(
      and(
        eq(roleBindings.workspaceId, workspaceId),
        eq(roleBindings.subjectType, "group"),
        eq(roleBindings.subjectId, groupId),
      ),
    );
  return [...new Set(rows.flatMap((r) => r.permissions))];
}

export async function changeGroupMember(
  sc: RolesContext,
  input: { tenantId: string; groupId: string; userId: string; add: boolean },
): Promise<void> {
  const workspaceId = sc.actor.workspaceId;
  await sc.db.transaction(async (tx) => {
    await lockTenant(tx, workspaceId, input.tenantId);
    const ownersBefore = await activeOwnerIds(tx, workspaceId, input.tenantId);
    await assertSubjectInTenant(tx, workspaceId, input.tenantId, { type: "group", id: input.groupId });
    if (sc.actor.type === "access_token") {
      assertMayGrant(sc.actor, await groupPermissions(tx, workspaceId, input.groupId));
      if (input.add && (await groupHoldsOwnerRole(tx, workspaceId, input.groupId))) {
        await assertMayMakeOwners(tx, sc.actor, input.tenantId);
      }
    }
    if (input.add) {
      await assertSubjectInTenant(tx, workspaceId, input.tenantId, { type: "user", id: input.userId });
      const added = await tx
        .insert(groupMembers)
        .values({ workspaceId, groupId: input.groupId, userId: input.userId })
        .onConflictDoNothing()
        .returning();
      if (added.length === 0) return;
    } else {
      const removed = await tx
        .delete(groupMembers)
        .where(
          and(
            eq(groupMembers.workspaceId, workspaceId),
            eq(groupMembers.groupId, input.groupId),
            eq(groupMembers.userId, input.userId),
          ),
        )
        .returning();
      if (removed.length === 0) throw notFound("Group member", input.userId);
      await assertOwnerKept(tx, workspaceId, input.tenantId, ownersBefore);
    }
    await recordActivity(tx, sc, {
      tenantId: input.tenantId,
      action: input.add ? "group.member_added" : "group.member_removed",
      targetType: "group",
      targetId: input.groupId,
      after: { userId: input.userId },
    });
  });
}

export async function deleteGroup(
  sc: RolesContext,
  input: { tenantId: string; groupId: string },
): Promise<void> {
  const workspaceId = sc.actor.workspaceId;
  await sc.db.transaction(async (tx) => {
    await lockTenant(tx, workspaceId, input.tenantId);
    const ownersBefore = await activeOwnerIds(tx, workspaceId, input.tenantId);
    await assertSubjectInTenant(tx, workspaceId, input.tenantId, { type: "group", id: input.groupId });
    if (sc.actor.type === "access_token") {
      assertMayGrant(sc.actor, await groupPermissions(tx, workspaceId, input.groupId));
    }
    await tx
      .delete(roleBindings)
      .where(
        and(
          eq(roleBindings.workspaceId, workspaceId),
          eq(roleBindings.subjectType, "group"),
          eq(roleBindings.subjectId, input.groupId),
        ),
      );
    await tx.delete(groups).where(and(eq(groups.workspaceId, workspaceId), eq(groups.id, input.groupId)));
    await assertOwnerKept(tx, workspaceId, input.tenantId, ownersBefore);
    await recordActivity(tx, sc, {
      tenantId: input.tenantId,
      action: "group.deleted",
      targetType: "group",
      targetId: input.groupId,
    });
  });
}
