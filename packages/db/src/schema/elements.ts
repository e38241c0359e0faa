import { ELEMENT_SETUP_STATES, ELEMENT_TYPES, FIELD_MAPPING_DIRECTIONS } from "@tenantry/contracts/elements";
import { sql } from "drizzle-orm";
import {
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
import { apps, connections } from "./connections";
import { tenants } from "./tenants";
import { workspaces } from "./workspaces";

export type JsonObject = Record<string, unknown>;

/**
 * A workspace's element: a definition and the JSON Schema saying which parts of it a tenant may
 * change. `revision` grows on every change; archived, never deleted, so instances keep their history.
 */
export const elementTemplates = pgTable(
  "element_templates",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    type: text({ enum: ELEMENT_TYPES }).notNull(),
    key: text().notNull(),
    name: text().notNull(),
    /** null = works with any app. */
    appId: text(),
    definition: jsonb().$type<JsonObject>().notNull(),
    configSchema: jsonb().$type<JsonObject>().notNull(),
    /** Field mappings only: the data source they map and which way. */
    dataSourceKey: text(),
    direction: text({ enum: FIELD_MAPPING_DIRECTIONS }),
    revision: integer().notNull().default(1),
    archivedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // One "any app" template per key too: NULL app ids are equal here.
    unique("element_templates_key_unique").on(t.workspaceId, t.type, t.appId, t.key).nullsNotDistinct(),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
    foreignKey({ columns: [t.workspaceId, t.appId], foreignColumns: [apps.workspaceId, apps.id] }),
    check(
      "element_templates_type_check",
      sql`${t.type} in ('action', 'flow', 'data_source', 'field_mapping')`,
    ),
    check("element_templates_revision_check", sql`${t.revision} >= 1`),
  ],
);

/**
 * A tenant's copy of an element: for a template, only the tenant's overrides (JSON Pointer → value)
 * and, per overridden path, the template's value when it was overridden (`overrideBases`) so a later
 * template change at that path is seen exactly. Without a template (`templateId` null) the tenant
 * owns the element and its `definition`.
 */
export const elementInstances = pgTable(
  "element_instances",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    tenantId: text().notNull(),
    templateId: text(),
    connectionId: text(),
    instanceKey: text().notNull().default(""),
    type: text({ enum: ELEMENT_TYPES }).notNull(),
    key: text().notNull(),
    /** Tenant-owned elements only; template instances take these from their template. */
    name: text(),
    appId: text(),
    definition: jsonb().$type<JsonObject>(),
    configSchema: jsonb().$type<JsonObject>(),
    dataSourceKey: text(),
    direction: text({ enum: FIELD_MAPPING_DIRECTIONS }),
    overrides: jsonb().$type<JsonObject>().notNull().default({}),
    overrideBases: jsonb().$type<JsonObject>().notNull().default({}),
    /** The template revision this instance last merged (written). */
    mergedRevision: integer().notNull().default(0),
    /** The instance's own version, for optimistic concurrency. */
    revision: integer().notNull().default(1),
    setupState: text({ enum: ELEMENT_SETUP_STATES }).notNull(),
    setupErrors: jsonb().$type<{ path: string; message: string }[]>().notNull().default([]),
    archivedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // Exactly one instance per (tenant, template, connection or none, instance key); concurrent
    // first accesses insert with ON CONFLICT DO NOTHING and read the winner. Tenant-owned elements
    // (template NULL) are unique by type and key instead.
    unique("element_instances_identity_unique")
      .on(t.workspaceId, t.tenantId, t.templateId, t.type, t.key, t.connectionId, t.instanceKey)
      .nullsNotDistinct(),
    index().on(t.workspaceId, t.tenantId, t.id),
    index().on(t.workspaceId, t.connectionId),
    index().on(t.workspaceId, t.templateId),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
    foreignKey({
      columns: [t.workspaceId, t.templateId],
      foreignColumns: [elementTemplates.workspaceId, elementTemplates.id],
    }),
    foreignKey({
      columns: [t.workspaceId, t.connectionId],
      foreignColumns: [connections.workspaceId, connections.id],
    }),
    check("element_instances_owner_check", sql`(${t.templateId} is null) = (${t.definition} is not null)`),
    check("element_instances_state_check", sql`${t.setupState} in ('setting_up', 'ready', 'setup_failed')`),
  ],
);
