import { BUILT_IN_ROLES } from "@tenantry/contracts/permissions";
import type {
  BindRoleInput,
  CreateRoleInput,
  Role,
  RoleBinding,
  RoleIdInput,
  UpdateRoleInput,
} from "@tenantry/contracts/roles";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { roleBindings, roles } from "@tenantry/db/schema/members";
import { and, asc, eq } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { assertMayMakeOwners } from "../members/owners";
import { lockCustomPermissions } from "../permissions/service";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { assertMayGrant, assertSubjectInTenant } from "./grants";

// The workspace's roles, and binding one to a member or a group: the one write every grant goes
// through (the bind procedure, and the members domain inside its own transactions).

type RoleRow = typeof roles.$inferSelect;

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

export async function listRoles(ctx: ServiceContext): Promise<Role[]> {
  const workspaceId = ctx.actor.workspaceId;
  await ensureBuiltInRoles(ctx.db, workspaceId);
  const rows = await ctx.db
    .select()
    .from(roles)
    .where(eq(roles.workspaceId, workspaceId))
    .orderBy(asc(roles.key));
  return rows.map(toRole);
}

export async function getRole(ctx: ServiceContext, { id }: RoleIdInput): Promise<Role> {
  const [row] = await ctx.db
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, ctx.actor.workspaceId), eq(roles.id, id)));
  if (!row) throw notFound("Role", id);
  return toRole(row);
}

export async function createRole(ctx: ServiceContext, input: CreateRoleInput): Promise<Role> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
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
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "role.created",
      targetType: "role",
      targetId: row.id,
      after: { key: row.key, name: row.name, permissions: row.permissions },
    });
    return toRole(row);
  });
}

export async function updateRole(ctx: ServiceContext, input: UpdateRoleInput): Promise<Role> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
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
    await recordActivity(tx, ctx, {
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

export async function deleteRole(ctx: ServiceContext, { id }: RoleIdInput): Promise<void> {
  const workspaceId = ctx.actor.workspaceId;
  await ctx.db.transaction(async (tx) => {
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
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "role.deleted",
      targetType: "role",
      targetId: id,
      before: { key: current.key, permissions: current.permissions },
    });
  });
}

/**
 * Binds a role inside the caller's transaction. It needs only who acts (the members domain passes
 * its own context), never the database: `tx` is the one to use.
 */
export async function bindRole(
  tx: Executor,
  ctx: Pick<ServiceContext, "actor" | "requestId" | "clock">,
  input: BindRoleInput,
  /** Tenantry's own steps (a new tenant's first owner) bind without the caller's grant check. */
  { trusted = false }: { trusted?: boolean } = {},
): Promise<RoleBinding> {
  const workspaceId = ctx.actor.workspaceId;
  const [role] = await tx
    .select()
    .from(roles)
    .where(and(eq(roles.workspaceId, workspaceId), eq(roles.id, input.roleId)));
  if (!role) throw notFound("Role", input.roleId);
  if (ctx.actor.type === "access_token" && !trusted) {
    assertMayGrant(ctx.actor, role.permissions);
    if (role.key === "owner") await assertMayMakeOwners(tx, ctx.actor, input.tenantId);
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
  await recordActivity(tx, ctx, {
    tenantId: input.tenantId,
    action: "role_binding.created",
    targetType: "role_binding",
    targetId: row.id,
    after: { role: role.key, subject: input.subject },
  });
  return toBinding(row, role.key);
}

export function toBinding(row: typeof roleBindings.$inferSelect, roleKey: string): RoleBinding {
  return {
    id: row.id,
    tenantId: row.tenantId,
    roleId: row.roleId,
    roleKey,
    subject: { type: row.subjectType, id: row.subjectId },
    createdAt: row.createdAt.toISOString(),
  };
}
