import { foreignKey, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * The host's own permission keys (`invoices:approve`), defined per workspace. Roles hold keys in
 * their `permissions` array; this table says which custom keys exist, and its unique
 * (workspace_id, key) decides between concurrent creates.
 */
export const permissions = pgTable(
  "permissions",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    key: text().notNull(),
    name: text().notNull(),
    description: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("permissions_key_unique").on(t.workspaceId, t.key),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);
