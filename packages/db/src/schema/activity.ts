import { foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const ACTOR_TYPES = ["api_key", "access_token", "operator", "system"] as const;

/**
 * Append-only record of every change. Rows outlive the tenant they describe, so there is no
 * foreign key to tenants: deleting a tenant keeps its history (ending in `tenant.deleted`).
 */
export const activityLog = pgTable(
  "activity_log",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    tenantId: text(),
    actorType: text({ enum: ACTOR_TYPES }).notNull(),
    actorId: text().notNull(),
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text().notNull(),
    changes: jsonb().$type<{ before?: unknown; after?: unknown }>().notNull().default({}),
    requestId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.tenantId, t.id),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);
