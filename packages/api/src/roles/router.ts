import { idPattern } from "@tenantry/db/ids";
import { z } from "zod";
import { assertTenantAccess, requirePermission } from "../auth/access";
import { permissionSchema } from "../auth/permissions";
import { userIdSchema } from "../members/router";
import { tenantIdSchema } from "../tenants/schemas";
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

const roleIdSchema = z.string().regex(idPattern("role"), "must be `role_` followed by a UUIDv7");
const bindingIdSchema = z.string().regex(idPattern("rb"), "must be `rb_` followed by a UUIDv7");
const groupIdSchema = z.string().regex(idPattern("grp"), "must be `grp_` followed by a UUIDv7");

const roleSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  permissions: z.array(z.string()),
  builtIn: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const bindingSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  roleId: z.string(),
  roleKey: z.string(),
  subject: z.object({ type: z.enum(["user", "group"]), id: z.string() }),
  createdAt: z.string(),
});

const groupSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  memberUserIds: z.array(z.string()),
  createdAt: z.string(),
});

const permissions = z.array(permissionSchema).max(100);
const subjectSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("user"), id: userIdSchema }),
  z.strictObject({ type: z.literal("group"), id: groupIdSchema }),
]);

export const rolesRouter = router({
  list: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: { method: "GET", path: "/roles", tags, summary: "The workspace's roles" },
    })
    .input(z.strictObject({}).optional())
    .output(z.object({ items: z.array(roleSchema) }))
    .query(async ({ ctx }) => {
      requirePermission(ctx.actor, "roles:read");
      return { items: await listRoles(ctx.db, ctx.actor.workspaceId) };
    }),

  get: apiKeyProcedure
    .meta({ callers: ["apiKey"], rest: { method: "GET", path: "/roles/{id}", tags, summary: "One role" } })
    .input(z.strictObject({ id: roleIdSchema }))
    .output(roleSchema)
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
    .input(
      z.strictObject({
        key: z
          .string()
          .regex(
            /^[a-z][a-z0-9_-]{0,62}$/,
            "must be lower case letters, digits, _ or -, starting with a letter",
          ),
        name: z.string().trim().min(1).max(200),
        description: z.string().trim().max(1000).optional(),
        permissions,
      }),
    )
    .output(roleSchema)
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
    .input(
      z.strictObject({
        id: roleIdSchema,
        name: z.string().trim().min(1).max(200).optional(),
        description: z.string().trim().max(1000).nullable().optional(),
        permissions: permissions.optional(),
      }),
    )
    .output(roleSchema)
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
    .input(z.strictObject({ id: roleIdSchema }))
    .output(z.void())
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
    .input(
      z.strictObject({
        tenantId: tenantIdSchema,
        subjectType: z.enum(["user", "group"]).optional(),
        subjectId: z.string().max(100).optional(),
      }),
    )
    .output(z.object({ items: z.array(bindingSchema) }))
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
    .input(z.strictObject({ tenantId: tenantIdSchema, roleId: roleIdSchema, subject: subjectSchema }))
    .output(bindingSchema)
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
    .input(z.strictObject({ tenantId: tenantIdSchema, id: bindingIdSchema }))
    .output(z.void())
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      return deleteRoleBinding(ctx, input);
    }),

  listGroups: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: { method: "GET", path: "/tenants/{tenantId}/groups", tags, summary: "A tenant's groups" },
    })
    .input(z.strictObject({ tenantId: tenantIdSchema }))
    .output(z.object({ items: z.array(groupSchema) }))
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
    .input(z.strictObject({ tenantId: tenantIdSchema, name: z.string().trim().min(1).max(200) }))
    .output(groupSchema)
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
    .input(z.strictObject({ tenantId: tenantIdSchema, groupId: groupIdSchema }))
    .output(z.void())
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
    .input(z.strictObject({ tenantId: tenantIdSchema, groupId: groupIdSchema, userId: userIdSchema }))
    .output(z.object({ ok: z.literal(true) }))
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
    .input(z.strictObject({ tenantId: tenantIdSchema, groupId: groupIdSchema, userId: userIdSchema }))
    .output(z.void())
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
    .input(z.strictObject({ tenantId: tenantIdSchema, userId: userIdSchema, permission: permissionSchema }))
    .output(z.object({ allowed: z.boolean(), reason: z.string() }))
    .query(({ ctx, input }) => checkAuthorization(ctx.db, ctx.actor.workspaceId, input)),
});
