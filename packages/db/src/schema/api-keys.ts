import { index, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * API keys are stored as SHA-256 hashes; the plaintext is shown once at creation.
 * `prefix` keeps the first characters so operators can tell keys apart.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text().notNull(),
    name: text().notNull(),
    prefix: text().notNull(),
    keyHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("api_keys_key_hash_unique").on(t.workspaceId, t.keyHash),
    // Authentication starts from the hash alone, before the workspace is known.
    index().on(t.keyHash),
  ],
);
