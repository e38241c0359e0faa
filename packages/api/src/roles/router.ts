import { rolesContract } from "@tenantry/contracts/roles";
import { assertTenantAccess, requirePermission } from "../auth/access";
import { apiKeyProcedure, router, tenantProcedure } from "../trpc";
import {
  changeGroupMember,
  checkAuthorization,
  createGroup,
  createRole,
  createRoleBinding,
  deleteGroup,
  deleteRole,
  deleteRoleBinding,
  getRole,
  listGroups,
  listRoleBindings,
  listRoles,
  updateRole,
} from "./service";

const tags = ["Roles"];

export const rolesRouter = router({
  list: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: { method: "GET", path: "/roles", tags, summary: "The workspace's roles" },
    })
    .input(rolesContract.list.input)
    .output(rolesContract.list.output)
    .query(async ({ ctx }) => {
      requirePermission(ctx.actor, "roles:read");
      return { items: await listRoles(ctx.db, ctx.actor.workspaceId) };
    }),

  get: apiKeyProcedure
    .meta({ callers: ["apiKey"], rest: { method: "GET", path: "/roles/{id}", tags, summary: "One role" } })
    .input(rolesContract.get.input)
    .output(rolesContract.get.output)
    .query(({ ctx, input }) => getRole(ctx.db, ctx.actor.workspaceId, input.id)),

  create: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/roles",
        status: 201,
        tags,
        summary: "Create a role from catalog permissions",
      },
    })
    .input(rolesContract.create.input)
    .output(rolesContract.create.output)
    .mutation(({ ctx, input }) => createRole(ctx, input)),

  update: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "PATCH",
        path: "/roles/{id}",
        tags,
        summary: "Rename a role or change its permissions",
      },
    })
    .input(rolesContract.update.input)
    .output(rolesContract.update.output)
    .mutation(({ ctx, input }) => updateRole(ctx, input)),

  delete: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "DELETE",
        path: "/roles/{id}",
        status: 204,
        tags,
        summary: "Delete a role and its bindings",
      },
    })
    .input(rolesContract.delete.input)
    .output(rolesContract.delete.output)
    .mutation(({ ctx, input }) => deleteRole(ctx, input.id)),

  listBindings: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/role-bindings",
        tags,
        summary: "Roles bound at a tenant",
      },
    })
    .input(rolesContract.listBindings.input)
    .output(rolesContract.listBindings.output)
    .query(async ({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "roles:read");
      return { items: await listRoleBindings(ctx.db, ctx.actor.workspaceId, input) };
    }),

  bind: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/role-bindings",
        status: 201,
        tags,
        summary: "Bind a role to a member or a group at the tenant",
      },
    })
    .input(rolesContract.bind.input)
    .output(rolesContract.bind.output)
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      return createRoleBinding(ctx, input);
    }),

  unbind: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "DELETE",
        path: "/tenants/{tenantId}/role-bindings/{id}",
        status: 204,
        tags,
        summary: "Remove a role binding",
      },
    })
    .input(rolesContract.unbind.input)
    .output(rolesContract.unbind.output)
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      return deleteRoleBinding(ctx, input);
    }),

  listGroups: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: { method: "GET", path: "/tenants/{tenantId}/groups", tags, summary: "A tenant's groups" },
    })
    .input(rolesContract.listGroups.input)
    .output(rolesContract.listGroups.output)
    .query(async ({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "members:read");
      return { items: await listGroups(ctx.db, ctx.actor.workspaceId, input.tenantId) };
    }),

  createGroup: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/groups",
        status: 201,
        tags,
        summary: "Create a group",
      },
    })
    .input(rolesContract.createGroup.input)
    .output(rolesContract.createGroup.output)
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "members:write");
      return createGroup(ctx, input);
    }),

  deleteGroup: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "DELETE",
        path: "/tenants/{tenantId}/groups/{groupId}",
        status: 204,
        tags,
        summary: "Delete a group and its role bindings",
      },
    })
    .input(rolesContract.deleteGroup.input)
    .output(rolesContract.deleteGroup.output)
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "members:write");
      return deleteGroup(ctx, input);
    }),

  addGroupMember: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/groups/{groupId}/members",
        tags,
        summary: "Add a member of the tenant to a group",
      },
    })
    .input(rolesContract.addGroupMember.input)
    .output(rolesContract.addGroupMember.output)
    .mutation(async ({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "members:write");
      await changeGroupMember(ctx, { ...input, add: true });
      return { ok: true as const };
    }),

  removeGroupMember: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "DELETE",
        path: "/tenants/{tenantId}/groups/{groupId}/members/{userId}",
        status: 204,
        tags,
        summary: "Remove a member from a group",
      },
    })
    .input(rolesContract.removeGroupMember.input)
    .output(rolesContract.removeGroupMember.output)
    .mutation(async ({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "members:write");
      await changeGroupMember(ctx, { ...input, add: false });
    }),

  check: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/authz/check",
        tags,
        summary: "May this user do this in this tenant? Active membership first, then role bindings",
      },
    })
    .input(rolesContract.check.input)
    .output(rolesContract.check.output)
    .query(({ ctx, input }) => checkAuthorization(ctx.db, ctx.actor.workspaceId, input)),
});
