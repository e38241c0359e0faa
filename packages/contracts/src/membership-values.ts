/**
 * A membership's statuses, types and sources as values, free of zod: the schemas in `members.ts`
 * and the database's checks are built from them, and the widgets list them in their menus.
 */
export const MEMBERSHIP_STATUSES = ["invited", "active", "suspended", "left"] as const;
export const MEMBERSHIP_TYPES = [
  "owner",
  "admin",
  "member",
  "contractor",
  "service_operator",
  "readonly_auditor",
] as const;
export const MEMBERSHIP_SOURCES = [
  "signup",
  "invite",
  "scim",
  "oidc_jit",
  "saml_jit",
  "api",
  "migration",
] as const;
export const BINDING_SUBJECTS = ["user", "group"] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];
export type MembershipType = (typeof MEMBERSHIP_TYPES)[number];
export type MembershipSource = (typeof MEMBERSHIP_SOURCES)[number];
