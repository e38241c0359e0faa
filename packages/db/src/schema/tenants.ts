import { MFA_POLICIES, PAYMENT_STATUSES, TENANT_KINDS, TENANT_STATUSES } from "@tenantry/contracts/tenants";
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { scopes } from "./scopes";
import { workspaces } from "./workspaces";

export const tenants = pgTable(
  "tenants",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    internalId: text().notNull(),
    externalId: text(),
    name: text().notNull(),
    slug: text().notNull(),
    kind: text({ enum: TENANT_KINDS }).notNull().default("standard"),
    status: text({ enum: TENANT_STATUSES }).notNull().default("active"),
    planKey: text(),
    trial: boolean().notNull().default(false),
    trialEndsAt: timestamp({ withTimezone: true }),
    paymentStatus: text({ enum: PAYMENT_STATUSES }).notNull().default("none"),
    mfa: text({ enum: MFA_POLICIES }).notNull().default("optional"),
    locale: text(),
    logo: text(),
    onboarded: boolean().notNull().default(false),
    federationConnection: text(),
    billingEmail: text(),
    technicalContactEmail: text(),
    ownerUserId: text(),
    maxUsers: integer(),
    maxWorkspaces: integer(),
    maxProjects: integer(),
    maxEnvironments: integer(),
    aiCreditsRolling30DayLimit: bigint({ mode: "number" }),
    metadata: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    fields: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** The schema's secret (writeOnly) fields: name → sealed value. Names are readable, values never. */
    secretFields: jsonb().$type<Record<string, string>>().notNull().default({}),
    /** The write-only `credentials` object, sealed with the tenant id as associated data. */
    credentialsSealed: text(),
    credentialsUpdatedAt: timestamp({ withTimezone: true }),
    scopeId: text().notNull(),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("tenants_slug_unique").on(t.workspaceId, t.slug),
    unique("tenants_internal_id_unique").on(t.workspaceId, t.internalId),
    index().on(t.workspaceId, t.externalId),
    index().on(t.workspaceId, t.status, t.id),
    // The list's `q` (a substring of name or slug, any case): trigram indexes, which `ILIKE '%…%'`
    // uses from three characters on. The migration creates the pg_trgm extension first.
    index("tenants_name_trgm_idx").using("gin", t.name.op("gin_trgm_ops")),
    index("tenants_slug_trgm_idx").using("gin", t.slug.op("gin_trgm_ops")),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.workspaceId, t.scopeId], foreignColumns: [scopes.workspaceId, scopes.id] }),
    check("tenants_kind_check", sql`${t.kind} in ('standard', 'enterprise', 'trial')`),
    check("tenants_status_check", sql`${t.status} in ('active', 'suspended', 'archived')`),
    check(
      "tenants_payment_status_check",
      sql`${t.paymentStatus} in ('none', 'trialing', 'current', 'past_due', 'unpaid', 'canceled')`,
    ),
    check("tenants_mfa_check", sql`${t.mfa} in ('off', 'optional', 'required')`),
    check("tenants_version_check", sql`${t.version} >= 1`),
  ],
);
