import type {
  BindRoleInput,
  ListBindingsInput,
  RoleBinding,
  UnbindRoleInput,
} from "@tenantry/contracts/roles";
import { roleBindings, roles } from "@tenantry/db/schema/members";
import { and, asc, eq } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { activeOwnerIds, assertOwnerKept, lockTenant } from "../members/owners";
import { notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { assertMayGrant } from "./grants";
import { bindRole, toBinding } from "./service";

// The roles bound to a tenant's members and groups. Binding itself is `bindRole` (./service), which
// the members domain calls inside its own transactions too.

export async function createRoleBinding(ctx: ServiceContext, input: BindRoleInput): Promise<RoleBinding> {
  return ctx.db.transaction((tx) => bindRole(tx, ctx, input));
}

export async function listRoleBindings(
  ctx: ServiceContext,
  input: ListBindingsInput,
): Promise<RoleBinding[]> {
  const rows = await ctx.db
    .select({ binding: roleBindings, roleKey: roles.key })
    .from(roleBindings)
    .innerJoin(roles, and(eq(roles.workspaceId, roleBindings.workspaceId), eq(roles.id, roleBindings.roleId)))
    .where(
      and(
        eq(roleBindings.workspaceId, ctx.actor.workspaceId),
        eq(roleBindings.tenantId, input.tenantId),
        input.subjectType ? eq(roleBindings.subjectType, input.subjectType) : undefined,
        input.subjectId ? eq(roleBindings.subjectId, input.subjectId) : undefined,
      ),
    )
    .orderBy(asc(roleBindings.id));
  return rows.map((r) => toBinding(r.binding, r.roleKey));
}

export async function deleteRoleBinding(ctx: ServiceContext, input: UnbindRoleInput): Promise<void> {
  const workspaceId = ctx.actor.workspaceId;
  await ctx.db.transaction(async (tx) => {
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
    if (ctx.actor.type === "access_token") assertMayGrant(ctx.actor, found.role.permissions);
    await tx
      .delete(roleBindings)
      .where(and(eq(roleBindings.workspaceId, workspaceId), eq(roleBindings.id, input.id)));
    await assertOwnerKept(tx, workspaceId, input.tenantId, ownersBefore);
    await recordActivity(tx, ctx, {
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
