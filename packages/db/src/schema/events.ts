import { foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import type { ACTOR_TYPES } from "./activity";
import { workspaces } from "./workspaces";

/**
 * The outbox of what happened: one row per announced change, written in the transaction of the
 * change (by `recordActivity`), so no change goes unannounced and nothing is announced that did not
 * commit. Like the activity log it outlives the tenant it names (no foreign key to tenants); rows
 * older than the retention are removed by the server's periodic cleanup.
 */
export const events = pgTable(
  "events",
  {
    workspaceId: text().notNull(),
    /** `evt_{uuidv7}`: keyset pages run in id order. */
    id: text().notNull(),
    type: text().notNull(),
    tenantId: text(),
    actor: jsonb().$type<{ type: (typeof ACTOR_TYPES)[number]; id: string }>().notNull(),
    /** Redacted exactly like the activity entry it accompanies: never a secret. */
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.tenantId, t.id),
    index().on(t.workspaceId, t.type, t.id),
    index().on(t.createdAt),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);
