import * as activitySchema from "@tenantry/db/schema/activity";
import * as apiKeysSchema from "@tenantry/db/schema/api-keys";
import * as connectionsSchema from "@tenantry/db/schema/connections";
import * as elementsSchema from "@tenantry/db/schema/elements";
import * as idempotencySchema from "@tenantry/db/schema/idempotency";
import * as membersSchema from "@tenantry/db/schema/members";
import * as operatorsSchema from "@tenantry/db/schema/operators";
import * as scopesSchema from "@tenantry/db/schema/scopes";
import * as signingKeysSchema from "@tenantry/db/schema/signing-keys";
import * as fieldSchemasSchema from "@tenantry/db/schema/tenant-field-schemas";
import * as tenantsSchema from "@tenantry/db/schema/tenants";
import * as usageSchema from "@tenantry/db/schema/usage";
import * as workspacesSchema from "@tenantry/db/schema/workspaces";
import type { TRPCError } from "@trpc/server";
import { getTableName, is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { AppErrorCause, appError } from "./errors";

/**
 * What the database drivers say about a failed statement, and the one place that knows their
 * shapes: postgres.js (`constraint_name`, `table_name`), PGlite (`constraint`, `table`), either
 * possibly wrapped by drizzle's `DrizzleQueryError` (`cause`, with the SQL and its `params`).
 */

interface DatabaseErrorFields {
  code: string;
  constraint?: string;
  table?: string;
  column?: string;
  schema?: string;
  dataType?: string;
  routine?: string;
  severity?: string;
  message?: string;
  detail?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const MAX_CAUSES = 6;

const text = (value: unknown) => (typeof value === "string" ? value : undefined);

/** Each error of the `cause` chain, outermost first, at most `MAX_CAUSES` and never one twice. */
function causeChain(error: unknown): object[] {
  const chain: object[] = [];
  for (let current: unknown = error; chain.length < MAX_CAUSES; ) {
    if (!current || typeof current !== "object" || chain.includes(current)) break;
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function asDatabaseError(candidate: object): DatabaseErrorFields | null {
  const raw = candidate as Record<string, unknown>;
  const code = text(raw.code);
  // Both drivers set a severity; Node's own codes (`EPIPE`) look like SQLSTATEs but have none.
  if (!code || !SQLSTATE.test(code) || typeof raw.severity !== "string") return null;
  const fields: DatabaseErrorFields = { code };
  const pick = (key: keyof DatabaseErrorFields, ...names: string[]) => {
    for (const name of names) {
      const value = text(raw[name]);
      if (value !== undefined) {
        fields[key] = value;
        return;
      }
    }
  };
  pick("constraint", "constraint_name", "constraint");
  pick("table", "table_name", "table");
  pick("column", "column_name", "column");
  pick("schema", "schema_name", "schema");
  pick("dataType", "data_type_name", "dataType");
  pick("routine", "routine");
  pick("severity", "severity");
  pick("message", "message");
  pick("detail", "detail");
  return fields;
}

/** The database's own error in a (possibly wrapped) error, or null when there is none. */
export function databaseErrorOf(error: unknown): DatabaseErrorFields | null {
  for (const candidate of causeChain(error)) {
    const fields = asDatabaseError(candidate);
    if (fields) return fields;
  }
  return null;
}

/** The SQL drizzle ran (placeholders only, never its parameters), when drizzle wrapped the error. */
function failedQueryOf(error: unknown): string | undefined {
  for (const candidate of causeChain(error)) {
    const raw = candidate as { query?: unknown; params?: unknown };
    if (typeof raw.query === "string" && "params" in raw) return raw.query;
  }
  return undefined;
}

/**
 * The name of the unique constraint a database error violated, or null. Both drivers are covered:
 * postgres.js (`constraint_name`) and PGlite (`constraint`), possibly wrapped by drizzle (`cause`).
 */
export function violatedUniqueConstraint(error: unknown): string | null {
  const fields = databaseErrorOf(error);
  return fields?.code === "23505" ? (fields.constraint ?? "") : null;
}

// ---------------------------------------------------------------------------------------------
// Foreign keys

/** PostgreSQL cuts identifiers to 63 bytes, so that may be all of a name an error carries. */
const MAX_IDENTIFIER = 63;

const SCHEMA_MODULES = [
  activitySchema,
  apiKeysSchema,
  connectionsSchema,
  elementsSchema,
  idempotencySchema,
  membersSchema,
  operatorsSchema,
  scopesSchema,
  signingKeysSchema,
  fieldSchemasSchema,
  tenantsSchema,
  usageSchema,
  workspacesSchema,
];

type ForeignKeyTables = { child: string; parent: string };

/**
 * Drizzle names a foreign key from the columns' property names (`workspaceId`) where the migration
 * has their SQL names (`workspace_id`); without underscores and case they are the same name.
 */
const normalizedName = (name: string) => name.replace(/_/g, "").toLowerCase();

let foreignKeys: Map<string, ForeignKeyTables> | undefined;

/** Every foreign key of the schema by its normalized name: the child and parent tables. */
function foreignKeyTables(): Map<string, ForeignKeyTables> {
  if (foreignKeys) return foreignKeys;
  foreignKeys = new Map();
  for (const module of SCHEMA_MODULES) {
    for (const table of Object.values(module)) {
      if (!is(table, PgTable)) continue;
      const config = getTableConfig(table);
      for (const foreignKey of config.foreignKeys) {
        foreignKeys.set(normalizedName(foreignKey.getName()), {
          child: config.name,
          parent: getTableName(foreignKey.reference().foreignTable),
        });
      }
    }
  }
  return foreignKeys;
}

/** The tables of the foreign key a database error names (possibly cut to 63 bytes), if known. */
function foreignKeyNamed(constraint: string | undefined): ForeignKeyTables | undefined {
  if (!constraint) return undefined;
  const name = normalizedName(constraint);
  const all = foreignKeyTables();
  const exact = all.get(name);
  if (exact || new TextEncoder().encode(constraint).length < MAX_IDENTIFIER) return exact;
  const candidates = [...all].filter(([full]) => full.startsWith(name));
  return candidates.length === 1 ? candidates[0]![1] : undefined;
}

/** `element_templates` → `element template`: how a message names what a table holds. */
const kindOf = (table: string) => table.replace(/_/g, " ").replace(/s$/, "");

const capitalized = (words: string) => words.charAt(0).toUpperCase() + words.slice(1);

/**
 * An unexpected error caused by the input rather than by the server, as the 4xx it should be, or
 * null (then it stays a 500). The safety net behind services' own checks:
 *
 * - a foreign key to a parent that does not exist (23503 on insert/update) → 404 `not_found`
 *   naming the parent's kind; a parent still referenced (23503 on delete) → 409 `conflict`;
 * - characters the database cannot store (22021: NUL in text; 22P05: `\u0000` in JSON) → 400
 *   `invalid_input`.
 *
 * Errors raised on purpose (an `AppErrorCause`) are never remapped. Messages name tables, never
 * the values the database quotes in its detail.
 */
export function databaseInputError(error: unknown): TRPCError | null {
  const chain = causeChain(error);
  if (chain.some((candidate) => candidate instanceof AppErrorCause)) return null;
  // Only what would otherwise be a 500: a TRPCError with another code was chosen on purpose.
  const outer = chain[0] as { name?: unknown; code?: unknown } | undefined;
  if (outer?.name === "TRPCError" && outer.code !== "INTERNAL_SERVER_ERROR") return null;
  const fields = databaseErrorOf(error);
  if (!fields) return null;
  if (fields.code === "22021" || fields.code === "22P05") {
    return appError(
      "BAD_REQUEST",
      "invalid_input",
      "A text value holds a character that cannot be stored (such as U+0000)",
    );
  }
  if (fields.code !== "23503") return null;
  const known = foreignKeyNamed(fields.constraint);
  const detail = fields.detail ?? "";
  const message = fields.message ?? "";
  const stillReferenced =
    /is still referenced from table/.test(detail) ||
    /^update or delete on table/.test(message) ||
    (!/is not present in table/.test(detail) &&
      !/^insert or update on table/.test(message) &&
      /^\s*delete\b/i.test(failedQueryOf(error) ?? ""));
  if (stillReferenced) {
    const parent = known?.parent ?? message.match(/^update or delete on table "([^"]+)"/)?.[1];
    const child = known?.child ?? fields.table;
    return appError(
      "CONFLICT",
      "conflict",
      `The ${parent ? kindOf(parent) : "record"} is still in use${child ? ` by a ${kindOf(child)}` : ""}`,
    );
  }
  const parent = known?.parent ?? detail.match(/is not present in table "([^"]+)"/)?.[1];
  return appError(
    "NOT_FOUND",
    "not_found",
    parent ? `${capitalized(kindOf(parent))} not found` : "What this refers to was not found",
  );
}

// ---------------------------------------------------------------------------------------------
// Logging

const MAX_STACK_FRAMES = 12;
const MAX_QUERY_LENGTH = 2_000;

/**
 * Stack frames only. A stack starts with the message it was made with — and a wrapper's stack may
 * be its cause's — so every message of the chain is cut out first: a value that looks like a frame
 * cannot slip through.
 */
function framesOf(stack: unknown, messages: string[]): string | undefined {
  if (typeof stack !== "string") return undefined;
  let rest = stack;
  for (const message of messages) if (message) rest = rest.split(message).join("");
  const frames = rest
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, MAX_STACK_FRAMES);
  return frames.length > 0 ? frames.join("\n") : undefined;
}

/**
 * A database message without the values it may quote: PostgreSQL puts them after a colon
 * (`invalid input syntax for type uuid: "…"`) or in double quotes (`value "…" is out of range`);
 * quoted names of the error's own table, column, constraint or type stay readable.
 */
function databaseMessageForLog(fields: DatabaseErrorFields): string | undefined {
  if (!fields.message) return undefined;
  const names = new Set(
    [fields.table, fields.column, fields.constraint, fields.schema, fields.dataType].filter(Boolean),
  );
  const head = fields.message.split(": ")[0]!;
  return head.replace(/"([^"]*)"/g, (quoted, name: string) => (names.has(name) ? quoted : '"…"'));
}

function errorName(error: object): string {
  const constructorName = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof constructorName === "string" && constructorName !== "Object" && constructorName !== "Error")
    return constructorName;
  const name = (error as { name?: unknown }).name;
  return typeof name === "string" ? name : "Error";
}

const isQueryWrapper = (error: object) =>
  typeof (error as { query?: unknown }).query === "string" && "params" in error;

/**
 * An error as it may be logged: type, message, stack frames and the whole `cause` chain — but a
 * database error only as its SQL shape (placeholders, never `params`), SQLSTATE code, routine and
 * constraint/table/column names, never its detail, where, hint or quoted values. A message that
 * repeats a database error's text (drizzle's `Failed query … params: …`, tRPC's wrapper taking its
 * cause's message) is replaced by the safe form. Anything that is not an `Error` is returned as is,
 * so this also serves as pino's `err` serializer.
 */
export function errorForLog(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const chain = causeChain(error);
  const messages = chain.map((candidate) => text((candidate as { message?: unknown }).message) ?? "");
  const unsafe = messages.filter(
    (message, i) => message && (asDatabaseError(chain[i]!) !== null || isQueryWrapper(chain[i]!)),
  );
  const database = databaseErrorOf(error);
  const databaseSummary = database
    ? `database error ${database.code}${database.message ? `: ${databaseMessageForLog(database)}` : ""}`
    : "Failed query (parameters not logged)";

  const described = chain.map((candidate, i) => {
    const fields = asDatabaseError(candidate);
    // PGlite's error class is minified to a letter; the driver's own names are no better a clue.
    const entry: Record<string, unknown> = { type: fields ? "DatabaseError" : errorName(candidate) };
    if (fields) {
      entry.message = databaseMessageForLog(fields);
      for (const key of ["code", "severity", "routine", "constraint", "table", "column", "schema"] as const) {
        if (fields[key] !== undefined) entry[key] = fields[key];
      }
      return entry;
    }
    const raw = candidate as { stack?: unknown; code?: unknown; query?: unknown };
    const message = messages[i]!;
    if (isQueryWrapper(candidate)) {
      entry.message = "Failed query (parameters not logged)";
      entry.query = String(raw.query).slice(0, MAX_QUERY_LENGTH);
    } else if (
      message.startsWith("Failed query") ||
      message.includes("\nparams: ") ||
      unsafe.some((text) => message.includes(text))
    ) {
      entry.message = databaseSummary;
    } else entry.message = message;
    if (typeof raw.code === "string" && raw.code.length <= 40) entry.code = raw.code;
    const frames = framesOf(raw.stack, unsafe);
    if (frames) entry.stack = frames;
    return entry;
  });
  for (let i = described.length - 2; i >= 0; i--) described[i]!.cause = described[i + 1];
  return described[0];
}
