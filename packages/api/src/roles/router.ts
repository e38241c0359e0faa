import { rolesContract } from "@tenantry/contracts/roles";
import { procedure, router, WORKSPACE } from "../trpc";
import { checkAuthorization } from "./authorization";
import { createRoleBinding, deleteRoleBinding, listRoleBindings } from "./bindings";
import { addGroupMember, createGroup, deleteGroup, listGroups, removeGroupMember } from "./groups";
import { createRole, deleteRole, getRole, listRoles, updateRole } from "./service";

const tags = ["Roles"];

export const rolesRouter = router({
  list: procedure
    .meta({
      access: { tenant: "token", permission: "roles:read" },
      rest: { method: "GET", path: "/roles", tags, summary: "The workspace's roles" },
    })
    .input(rolesContract.list.input)
    .output(rolesContract.list.output)
    .query(async ({ ctx }) => {
      return { items: await listRoles(ctx) };
    }),

  get: procedure
    .meta({ access: WORKSPACE, rest: { method: "GET", path: "/roles/{id}", tags, summary: "One role" } })
    .input(rolesContract.get.input)
    .output(rolesContract.get.output)
    .query(({ ctx, input }) => getRole(ctx, input)),

  create: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/roles",
        status: 201,
        tags,
        summary: "Create a role from built-in permissions and the workspace's own",
      },
    })
    .input(rolesContract.create.input)
    .output(rolesContract.create.output)
    .mutation(({ ctx, input }) => createRole(ctx, input)),

  update: procedure
    .meta({
      access: WORKSPACE,
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

  delete: procedure
    .meta({
      access: WORKSPACE,
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
    .mutation(({ ctx, input }) => deleteRole(ctx, input)),

  listBindings: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "roles:read" },
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
      return { items: await listRoleBindings(ctx, input) };
    }),

  bind: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "roles:write" },
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
      return createRoleBinding(ctx, input);
    }),

  unbind: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "roles:write" },
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
      return deleteRoleBinding(ctx, input);
    }),

  listGroups: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:read" },
      rest: { method: "GET", path: "/tenants/{tenantId}/groups", tags, summary: "A tenant's groups" },
    })
    .input(rolesContract.listGroups.input)
    .output(rolesContract.listGroups.output)
    .query(async ({ ctx, input }) => {
      return { items: await listGroups(ctx, input) };
    }),

  createGroup: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:write" },
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
      return createGroup(ctx, input);
    }),

  deleteGroup: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:write" },
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
      return deleteGroup(ctx, input);
    }),

  addGroupMember: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:write" },
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
      await addGroupMember(ctx, input);
      return { ok: true as const };
    }),

  removeGroupMember: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:write" },
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
    .mutation(({ ctx, input }) => removeGroupMember(ctx, input)),

  check: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/authz/check",
        tags,
        summary:
          "May this user do this in this tenant? Active membership first, then role bindings. Batch: `userIds` (up to 100) and/or `permissions` (up to 50) answer `{ results }`",
      },
    })
    .input(rolesContract.check.input)
    .output(rolesContract.check.output)
    .query(({ ctx, input }) => checkAuthorization(ctx, input)),
});
