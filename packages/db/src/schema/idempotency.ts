import { foreignKey, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * Remembers the answer to a create made with an `Idempotency-Key`, so a retry with the same key and
 * body answers the same, and the same key with another body is refused.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    workspaceId: text().notNull(),
    operation: text().notNull(),
    key: text().notNull(),
    requestHash: text().notNull(),
    resourceId: text(),
    response: jsonb(),
    statusCode: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.operation, t.key] }),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);
