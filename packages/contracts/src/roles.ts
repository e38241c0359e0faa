import { z } from "zod";
import { idPattern } from "./ids.js";
import { userIdSchema } from "./members.js";
import { permissionKeySchema } from "./permissions.js";
import { mutation, query } from "./procedures.js";
import { tenantIdSchema } from "./tenants.js";

export const roleIdSchema = z.string().regex(idPattern("role"), "must be `role_` followed by a UUIDv7");

export const bindingIdSchema = z.string().regex(idPattern("rb"), "must be `rb_` followed by a UUIDv7");

export const groupIdSchema = z.string().regex(idPattern("grp"), "must be `grp_` followed by a UUIDv7");

export const roleSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  permissions: z.array(z.string()),
  builtIn: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Role = z.infer<typeof roleSchema>;

export const bindingSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  roleId: z.string(),
  roleKey: z.string(),
  subject: z.object({ type: z.enum(["user", "group"]), id: z.string() }),
  createdAt: z.string(),
});
export type RoleBinding = z.infer<typeof bindingSchema>;

export const groupSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  memberUserIds: z.array(z.string()),
  createdAt: z.string(),
});
export type Group = z.infer<typeof groupSchema>;

/** Built-in and the workspace's own permissions, mixed; an unknown custom key is a 400 `unknown_permission`. */
export const permissions = z.array(permissionKeySchema).max(100);

export const AUTHZ_CHECK_MAX_USERS = 100;
export const AUTHZ_CHECK_MAX_PERMISSIONS = 50;

export const authzDecisionSchema = z.object({
  allowed: z.boolean(),
  reason: z
    .string()
    .describe(
      "`granted_by_role:<key>`, `no_role_grants_it`, `not_a_member` or `membership_<status>` (the membership precheck comes first).",
    ),
});
export type AuthorizationDecision = z.infer<typeof authzDecisionSchema>;

/** A batch check's answers: one per user × permission, in order. */
export const authzBatchSchema = z.object({
  results: z.array(authzDecisionSchema.extend({ userId: z.string(), permission: z.string() })),
});
export type AuthorizationBatch = z.infer<typeof authzBatchSchema>;

/** `userId` or `userIds`, `permission` or `permissions`: either form of each, never both. */
export const authzCheckInput = z
  .strictObject({
    tenantId: tenantIdSchema,
    userId: userIdSchema.optional(),
    userIds: z
      .array(userIdSchema)
      .min(1, "must name at least one user")
      .max(AUTHZ_CHECK_MAX_USERS, `must name at most ${AUTHZ_CHECK_MAX_USERS} users`)
      .optional(),
    permission: permissionKeySchema.optional(),
    permissions: z
      .array(permissionKeySchema)
      .min(1, "must name at least one permission")
      .max(AUTHZ_CHECK_MAX_PERMISSIONS, `must name at most ${AUTHZ_CHECK_MAX_PERMISSIONS} permissions`)
      .optional(),
  })
  .superRefine((input, ctx) => {
    for (const [one, many] of [
      ["userId", "userIds"],
      ["permission", "permissions"],
    ] as const) {
      const given = [input[one], input[many]].filter((v) => v !== undefined).length;
      if (given !== 1) {
        ctx.addIssue({
          code: "custom",
          path: [one],
          message: `give either ${one} or ${many}, ${given === 0 ? "one of them is required" : "not both"}`,
        });
      }
    }
  });
export type AuthorizationCheckInput = z.infer<typeof authzCheckInput>;

export const subjectSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("user"), id: userIdSchema }),
  z.strictObject({ type: z.literal("group"), id: groupIdSchema }),
]);
export type Subject = z.infer<typeof subjectSchema>;

const roleName = z.string().trim().min(1).max(200);
const roleDescription = z.string().trim().max(1000);

export const createRoleInput = z.strictObject({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/, "must be lower case letters, digits, _ or -, starting with a letter"),
  name: roleName,
  description: roleDescription.optional(),
  permissions,
});
export type CreateRoleInput = z.infer<typeof createRoleInput>;

export const updateRoleInput = z.strictObject({
  id: roleIdSchema,
  name: roleName.optional(),
  description: roleDescription.nullable().optional(),
  permissions: permissions.optional(),
});
export type UpdateRoleInput = z.infer<typeof updateRoleInput>;

export const roleIdInput = z.strictObject({ id: roleIdSchema });
export type RoleIdInput = z.infer<typeof roleIdInput>;

export const listBindingsInput = z.strictObject({
  tenantId: tenantIdSchema,
  subjectType: z.enum(["user", "group"]).optional(),
  subjectId: z.string().max(100).optional(),
});
export type ListBindingsInput = z.infer<typeof listBindingsInput>;

export const bindRoleInput = z.strictObject({
  tenantId: tenantIdSchema,
  roleId: roleIdSchema,
  subject: subjectSchema,
});
export type BindRoleInput = z.infer<typeof bindRoleInput>;

export const unbindRoleInput = z.strictObject({ tenantId: tenantIdSchema, id: bindingIdSchema });
export type UnbindRoleInput = z.infer<typeof unbindRoleInput>;

export const tenantGroupsInput = z.strictObject({ tenantId: tenantIdSchema });
export type TenantGroupsInput = z.infer<typeof tenantGroupsInput>;

export const createGroupInput = z.strictObject({
  tenantId: tenantIdSchema,
  name: z.string().trim().min(1).max(200),
});
export type CreateGroupInput = z.infer<typeof createGroupInput>;

export const groupInput = z.strictObject({ tenantId: tenantIdSchema, groupId: groupIdSchema });
export type GroupInput = z.infer<typeof groupInput>;

export const groupMemberInput = z.strictObject({
  tenantId: tenantIdSchema,
  groupId: groupIdSchema,
  userId: userIdSchema,
});
export type GroupMemberInput = z.infer<typeof groupMemberInput>;

export const rolesContract = {
  list: query({ input: z.strictObject({}).optional(), output: z.object({ items: z.array(roleSchema) }) }),
  get: query({ input: roleIdInput, output: roleSchema }),
  create: mutation({ input: createRoleInput, output: roleSchema }),
  update: mutation({ input: updateRoleInput, output: roleSchema }),
  delete: mutation({ input: roleIdInput, output: z.void() }),
  listBindings: query({ input: listBindingsInput, output: z.object({ items: z.array(bindingSchema) }) }),
  bind: mutation({ input: bindRoleInput, output: bindingSchema }),
  unbind: mutation({ input: unbindRoleInput, output: z.void() }),
  listGroups: query({ input: tenantGroupsInput, output: z.object({ items: z.array(groupSchema) }) }),
  createGroup: mutation({ input: createGroupInput, output: groupSchema }),
  deleteGroup: mutation({ input: groupInput, output: z.void() }),
  addGroupMember: mutation({ input: groupMemberInput, output: z.object({ ok: z.literal(true) }) }),
  removeGroupMember: mutation({ input: groupMemberInput, output: z.void() }),
  check: query({
    input: authzCheckInput,
    output: z.union([
      authzDecisionSchema.describe("The answer to a single check (`userId` and `permission`)."),
      authzBatchSchema.describe(
        "The answers to a batch (`userIds` or `permissions`): one per user × permission, in order.",
      ),
    ]),
  }),
};
