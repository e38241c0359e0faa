import {
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * The host's own team, who sign in to the console. Passwords are stored as argon2id hashes made by
 * the server (the hash is opaque here); emails are kept lower-cased.
 */
export const operators = pgTable(
  "operators",
  {
    workspaceId: text()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    id: text().notNull(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp({ withTimezone: true }),
    disabledAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("operators_email_unique").on(t.workspaceId, t.email),
    // Sign-in starts from the email alone, before the workspace is known.
    index().on(t.email),
  ],
);

/**
 * Server-side console sessions. The cookie holds a random token; only its SHA-256 is stored, so a
 * leaked table signs nobody in. Sessions end when idle past `expiresAt` or at `absoluteExpiresAt`.
 */
export const operatorSessions = pgTable(
  "operator_sessions",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    operatorId: text().notNull(),
    tokenHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    absoluteExpiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("operator_sessions_token_hash_unique").on(t.workspaceId, t.tokenHash),
    index().on(t.tokenHash),
    foreignKey({
      columns: [t.workspaceId, t.operatorId],
      foreignColumns: [operators.workspaceId, operators.id],
      name: "operator_sessions_operator_fk",
    }).onDelete("cascade"),
  ],
);

/**
 * Failed sign-ins per (email, client address), counted in the database so the limit holds across
 * server processes. Not workspace-owned: a sign-in attempt is counted before any workspace is known.
 */
export const operatorSignInAttempts = pgTable("operator_sign_in_attempts", {
  /** SHA-256 of `email|address`, so the table keeps no addresses in the clear. */
  key: text().primaryKey(),
  attempts: integer().notNull(),
  windowStartedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
