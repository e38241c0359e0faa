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

export const bindingSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  roleId: z.string(),
  roleKey: z.string(),
  subject: z.object({ type: z.enum(["user", "group"]), id: z.string() }),
  createdAt: z.string(),
});

export const groupSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  memberUserIds: z.array(z.string()),
  createdAt: z.string(),
});

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

/** `userId` or `userIds`, `permission` or `permissions`: either form of each, never both. */
const authzCheckInput = z
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

export const subjectSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("user"), id: userIdSchema }),
  z.strictObject({ type: z.literal("group"), id: groupIdSchema }),
]);

export const rolesContract = {
  list: query({ input: z.strictObject({}).optional(), output: z.object({ items: z.array(roleSchema) }) }),
  get: query({ input: z.strictObject({ id: roleIdSchema }), output: roleSchema }),
  create: mutation({
    input: z.strictObject({
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
    output: roleSchema,
  }),
  update: mutation({
    input: z.strictObject({
      id: roleIdSchema,
      name: z.string().trim().min(1).max(200).optional(),
      description: z.string().trim().max(1000).nullable().optional(),
      permissions: permissions.optional(),
    }),
    output: roleSchema,
  }),
  delete: mutation({ input: z.strictObject({ id: roleIdSchema }), output: z.void() }),
  listBindings: query({
    input: z.strictObject({
      tenantId: tenantIdSchema,
      subjectType: z.enum(["user", "group"]).optional(),
      subjectId: z.string().max(100).optional(),
    }),
    output: z.object({ items: z.array(bindingSchema) }),
  }),
  bind: mutation({
    input: z.strictObject({ tenantId: tenantIdSchema, roleId: roleIdSchema, subject: subjectSchema }),
    output: bindingSchema,
  }),
  unbind: mutation({
    input: z.strictObject({ tenantId: tenantIdSchema, id: bindingIdSchema }),
    output: z.void(),
  }),
  listGroups: query({
    input: z.strictObject({ tenantId: tenantIdSchema }),
    output: z.object({ items: z.array(groupSchema) }),
  }),
  createGroup: mutation({
    input: z.strictObject({ tenantId: tenantIdSchema, name: z.string().trim().min(1).max(200) }),
    output: groupSchema,
  }),
  deleteGroup: mutation({
    input: z.strictObject({ tenantId: tenantIdSchema, groupId: groupIdSchema }),
    output: z.void(),
  }),
  addGroupMember: mutation({
    input: z.strictObject({ tenantId: tenantIdSchema, groupId: groupIdSchema, userId: userIdSchema }),
    output: z.object({ ok: z.literal(true) }),
  }),
  removeGroupMember: mutation({
    input: z.strictObject({ tenantId: tenantIdSchema, groupId: groupIdSchema, userId: userIdSchema }),
    output: z.void(),
  }),
  check: query({
    input: authzCheckInput,
    output: z.union([
      authzDecisionSchema.describe("The answer to a single check (`userId` and `permission`)."),
      z
        .object({
          results: z.array(authzDecisionSchema.extend({ userId: z.string(), permission: z.string() })),
        })
        .describe(
          "The answers to a batch (`userIds` or `permissions`): one per user × permission, in order.",
        ),
    ]),
  }),
};
