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
 * the server (the hash is opaque here); emails are kept lower-cased. A disabled operator keeps its
 * row (and its name in the activity log) but cannot sign in. After a password reset the operator has
 * no password, only a one-time temporary one (random, so its SHA-256 is enough) that must be
 * replaced at the next sign-in.
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
    /** Null while a reset is pending: the old password stops working at once. */
    passwordHash: text(),
    /** SHA-256 of the one-time password a reset handed out, until it is exchanged or expires. */
    temporaryPasswordHash: text(),
    temporaryPasswordExpiresAt: timestamp({ withTimezone: true }),
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
    // Ending every session of one operator (disable, reset, revoke) and the cascade on removal.
    index().on(t.workspaceId, t.operatorId),
    foreignKey({
      columns: [t.workspaceId, t.operatorId],
      foreignColumns: [operators.workspaceId, operators.id],
      name: "operator_sessions_operator_fk",
    }).onDelete("cascade"),
  ],
);

/**
 * Failed sign-ins, counted in the database so the limits hold across server processes: one row per
 * account (email, from any address) and one per client address (for any account). Not
 * workspace-owned: a sign-in attempt is counted before any workspace is known.
 */
export const operatorSignInAttempts = pgTable("operator_sign_in_attempts", {
  /** SHA-256 of `account|email` or `address|ip`, so the table keeps no emails or addresses in the clear. */
  key: text().primaryKey(),
  /** Failures in the current window. */
  attempts: integer().notNull(),
  windowStartedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  /** Refused until then once the failures of a window passed the limit. */
  lockedUntil: timestamp({ withTimezone: true }),
  /** Lockouts in a row (each doubles the next one's length); forgotten a day after the last. */
  lockouts: integer().notNull().default(0),
});
