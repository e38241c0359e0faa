import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** One host app. Every other table is owned by a workspace and keyed by `workspace_id` first. */
export const workspaces = pgTable("workspaces", {
  id: text().primaryKey(),
  name: text().notNull(),
  settings: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  /** The test tenant the console and Storybook act as: `{ internalId, name, fields }`. */
  testTenant: jsonb().$type<{ internalId: string; name: string; fields: Record<string, unknown> }>(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
