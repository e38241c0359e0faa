import { z } from "zod";

/**
 * The closed permission catalog. Roles hold only these; access tokens without a user carry them in
 * their `scope` claim. `domain:read` lets a widget show, `domain:write` lets it change.
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
