import { foreignKey, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** The workspace's JSON Schema for tenant fields; `version` moves on every change. */
export const tenantFieldSchemas = pgTable(
  "tenant_field_schemas",
  {
    workspaceId: text().primaryKey(),
    schema: jsonb().$type<Record<string, unknown>>().notNull(),
    version: integer().notNull().default(1),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade")],
);
