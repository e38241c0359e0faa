import { z } from "zod";
import { idPattern } from "./ids.js";
import { mutation, query } from "./procedures.js";

/**
 * Tenantry's own permission catalog. Roles hold these and the workspace's own keys (below); access
 * tokens without a user carry either in their `scope` claim. `domain:read` lets a widget show,
 * `domain:write` lets it change.
 */
export const PERMISSIONS = [
  "tenant:read",
  "tenant:write",
  "fields:read",
  "fields:write",
  "credentials:write",
  "members:read",
  "members:write",
  "roles:read",
  "roles:write",
  "usage:read",
  "usage:write",
  "connections:read",
  "connections:write",
  "elements:read",
  "elements:write",
  "activity:read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const permissionSchema = z.enum(PERMISSIONS);

const reads = PERMISSIONS.filter((p) => p.endsWith(":read"));

/** Seeded in every workspace; a workspace may change their permissions, not delete them. */
export const BUILT_IN_ROLES: { key: string; name: string; description: string; permissions: Permission[] }[] =
  [
    {
      key: "owner",
      name: "Owner",
      description: "Everything, including the tenant's profile.",
      permissions: [...PERMISSIONS],
    },
    {
      key: "admin",
      name: "Admin",
      description: "Everything but the tenant's profile.",
      permissions: PERMISSIONS.filter((p) => p !== "tenant:write"),
    },
    {
      key: "member",
      name: "Member",
      description: "Reads the tenant and uses its connections, usage and elements.",
      permissions: [
        ...reads.filter((p) => p !== "activity:read" && p !== "roles:read"),
        "usage:write",
        "connections:write",
        "elements:write",
      ],
    },
    { key: "viewer", name: "Viewer", description: "Reads everything, changes nothing.", permissions: reads },
  ];

// ---------------------------------------------------------------------------------------------
// The host's own permissions

/** The resources of the built-in catalog: a host's permission keys may not start with them. */
export const RESERVED_PERMISSION_RESOURCES: readonly string[] = [
  ...new Set(PERMISSIONS.map((p) => p.split(":")[0]!)),
];

export const PERMISSION_KEY_MAX_LENGTH = 100;

const keyPart = "[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?";
/** `resource:action`, or `resource:sub:action`: lower case, dots, hyphens and underscores inside parts. */
const CUSTOM_PERMISSION_KEY = new RegExp(`^${keyPart}(?::${keyPart}){1,2}$`);

export function isBuiltInPermission(key: string): key is Permission {
  return (PERMISSIONS as readonly string[]).includes(key);
}

const isReservedResource = (key: string) => RESERVED_PERMISSION_RESOURCES.includes(key.split(":")[0]!);

/** A key a workspace may define: well formed, not a built-in one and not in a built-in resource's namespace. */
export const customPermissionKeySchema = z
  .string()
  .max(PERMISSION_KEY_MAX_LENGTH, `must be at most ${PERMISSION_KEY_MAX_LENGTH} characters`)
  .regex(
    CUSTOM_PERMISSION_KEY,
    "must look like resource:action in lower case (letters, digits, and . _ - inside a part), e.g. invoices:approve",
  )
  .refine((key) => !isReservedResource(key), {
    message: `must not start with a built-in resource (${RESERVED_PERMISSION_RESOURCES.join(", ")}); those permissions are Tenantry's own`,
  })
  .meta({ description: "The permission's key, e.g. `invoices:approve`.", examples: ["invoices:approve"] });

/** A built-in permission or a well-formed custom key; whether a custom key exists is the service's question. */
export const permissionKeySchema = z
  .string()
  .max(PERMISSION_KEY_MAX_LENGTH, `must be at most ${PERMISSION_KEY_MAX_LENGTH} characters`)
  .refine(
    (key) => isBuiltInPermission(key) || (CUSTOM_PERMISSION_KEY.test(key) && !isReservedResource(key)),
    {
      message:
        "must be a built-in permission (e.g. members:read) or one of the workspace's own (e.g. invoices:approve)",
    },
  )
  .meta({ description: "A built-in permission or one the workspace defined.", examples: ["members:read"] });

export const permissionIdSchema = z
  .string()
  .regex(idPattern("perm"), "must be `perm_` followed by a UUIDv7")
  .describe("Permission id: `perm_{uuidv7}`.");

export const customPermissionSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CustomPermission = z.infer<typeof customPermissionSchema>;

const permissionName = z.string().trim().min(1, "must not be empty").max(200);
const permissionDescription = z.string().trim().max(1000);

export const permissionIdInput = z.strictObject({ id: permissionIdSchema });
export type PermissionIdInput = z.infer<typeof permissionIdInput>;

export const createPermissionInput = z.strictObject({
  key: customPermissionKeySchema,
  name: permissionName,
  description: permissionDescription.optional(),
});
export type CreatePermissionInput = z.infer<typeof createPermissionInput>;

export const updatePermissionInput = z.strictObject({
  id: permissionIdSchema,
  name: permissionName.optional(),
  description: permissionDescription.nullable().optional(),
});
export type UpdatePermissionInput = z.infer<typeof updatePermissionInput>;

export const permissionsContract = {
  list: query({
    input: z.strictObject({}).optional(),
    output: z.object({ items: z.array(customPermissionSchema) }),
  }),
  get: query({ input: permissionIdInput, output: customPermissionSchema }),
  create: mutation({ input: createPermissionInput, output: customPermissionSchema }),
  update: mutation({ input: updatePermissionInput, output: customPermissionSchema }),
  delete: mutation({ input: permissionIdInput, output: z.void() }),
};
