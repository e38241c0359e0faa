import {
  BINDING_SUBJECTS,
  MEMBERSHIP_SOURCES,
  MEMBERSHIP_STATUSES,
  MEMBERSHIP_TYPES,
} from "@tenantry/contracts/members";
import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { tenants } from "./tenants";
import { workspaces } from "./workspaces";

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/**
 * People, per workspace. `emailNormalized` (trimmed, NFKC, lower case) is what makes an email
 * unique; `email` keeps how it was written. `externalId` is the host's id (an access token's `user.id`).
 */
export const users = pgTable(
  "users",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    email: text().notNull(),
    emailNormalized: text().notNull(),
    firstName: text(),
    lastName: text(),
    externalId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("users_email_unique").on(t.workspaceId, t.emailNormalized),
    unique("users_external_id_unique").on(t.workspaceId, t.externalId),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);

/** A user in a tenant. `type` is metadata; permissions come only from role bindings. */
export const memberships = pgTable(
  "memberships",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    tenantId: text().notNull(),
    userId: text().notNull(),
    status: text({ enum: MEMBERSHIP_STATUSES }).notNull(),
    type: text({ enum: MEMBERSHIP_TYPES }).notNull().default("member"),
    source: text({ enum: MEMBERSHIP_SOURCES }).notNull().default("api"),
    /** The host's id for this person in this tenant: what an access token's `user.id` names first. */
    externalId: text(),
    /** The tenant's own view of the person's name; other tenants never see or change it. */
    firstName: text(),
    lastName: text(),
    invitedBy: text(),
    joinedAt: timestamp({ withTimezone: true }),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("memberships_tenant_user_unique").on(t.workspaceId, t.tenantId, t.userId),
    unique("memberships_external_id_unique").on(t.workspaceId, t.tenantId, t.externalId),
    index().on(t.workspaceId, t.userId),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
    foreignKey({
      columns: [t.workspaceId, t.userId],
      foreignColumns: [users.workspaceId, users.id],
    }).onDelete("cascade"),
    check("memberships_status_check", sql`${t.status} in (${inList(MEMBERSHIP_STATUSES)})`),
    check("memberships_type_check", sql`${t.type} in (${inList(MEMBERSHIP_TYPES)})`),
    check("memberships_source_check", sql`${t.source} in (${inList(MEMBERSHIP_SOURCES)})`),
  ],
);

/** The pending invitation of an invited membership: a single-use token, stored only as its hash. */
export const invitations = pgTable(
  "invitations",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    membershipId: text().notNull(),
    tokenHash: text().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    acceptedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("invitations_token_hash_unique").on(t.tokenHash),
    index().on(t.workspaceId, t.membershipId),
    foreignKey({
      columns: [t.workspaceId, t.membershipId],
      foreignColumns: [memberships.workspaceId, memberships.id],
    }).onDelete("cascade"),
  ],
);

/** Workspace roles: named sets of built-in and custom (`permissions` table) keys. Built-ins may be edited. */
export const roles = pgTable(
  "roles",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    key: text().notNull(),
    name: text().notNull(),
    description: text(),
    permissions: text().array().notNull().default(sql`'{}'::text[]`),
    builtIn: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("roles_key_unique").on(t.workspaceId, t.key),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);

/** Groups of a tenant's members, so a role can be bound to many at once. */
export const groups = pgTable(
  "groups",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    tenantId: text().notNull(),
    name: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("groups_name_unique").on(t.workspaceId, t.tenantId, t.name),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
  ],
);

export const groupMembers = pgTable(
  "group_members",
  {
    workspaceId: text().notNull(),
    groupId: text().notNull(),
    userId: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.groupId, t.userId] }),
    index().on(t.workspaceId, t.userId),
    foreignKey({
      columns: [t.workspaceId, t.groupId],
      foreignColumns: [groups.workspaceId, groups.id],
    }).onDelete("cascade"),
    foreignKey({
      columns: [t.workspaceId, t.userId],
      foreignColumns: [users.workspaceId, users.id],
    }).onDelete("cascade"),
  ],
);

/** A role granted at a tenant's scope to a user or a group. */
export const roleBindings = pgTable(
  "role_bindings",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    tenantId: text().notNull(),
    roleId: text().notNull(),
    subjectType: text({ enum: BINDING_SUBJECTS }).notNull(),
    subjectId: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("role_bindings_unique").on(t.workspaceId, t.tenantId, t.roleId, t.subjectType, t.subjectId),
    // Subject ids carry their kind in their prefix (user_, grp_), so lookups go by id alone.
    index().on(t.workspaceId, t.tenantId, t.subjectId),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
    foreignKey({
      columns: [t.workspaceId, t.roleId],
      foreignColumns: [roles.workspaceId, roles.id],
    }).onDelete("cascade"),
    check("role_bindings_subject_check", sql`${t.subjectType} in ('user', 'group')`),
  ],
);
