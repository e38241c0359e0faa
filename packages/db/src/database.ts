import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";

type NoRelations = ExtractTablesWithRelations<Record<string, never>>;

/** A drizzle database on either driver. Domain code only ever sees this type. */
export type Database = PgDatabase<PgQueryResultHKT, Record<string, never>, NoRelations>;
export type Transaction = PgTransaction<PgQueryResultHKT, Record<string, never>, NoRelations>;
/** Something queries can run on: the database itself or an open transaction. */
export type Executor = Database | Transaction;

export type Driver = "pglite" | "postgres";

export interface DatabaseHandle {
  db: Database;
  driver: Driver;
  /**
   * LISTENs on `channel` on a connection of its own (PGlite: its one session). Absent on handles that
   * cannot listen; then nothing may be cached that needs invalidating.
   */
  listen?(channel: string, handlers: NotificationHandlers): Promise<NotificationListener>;
  close(): Promise<void>;
}

export interface NotificationHandlers {
  /** A notification on the channel (its payload); called before `fence()` answers for later commits. */
  onNotify(payload: string): void;
  /** LISTEN is in effect (again): from now on every committed notification arrives. */
  onListening(): void;
  /** The listening connection is gone: notifications may be missed until `onListening` again. */
  onLost(): void;
}

export interface NotificationListener {
  /**
   * Resolves true once every notification committed before the call has been handed to `onNotify`
   * (a round trip on the listening connection, which PostgreSQL answers only after sending the
   * notifications it already had); false when that cannot be known (the connection is down or slow).
   */
  fence(): Promise<boolean>;
  /** Stops listening and closes its connection; `onLost` is not called. */
  stop(): Promise<void>;
}

const drivers = new WeakMap<Database, Driver>();

/** Remembers which driver a database runs on (set by the openers). */
export function registerDriver(db: Database, driver: Driver): void {
  drivers.set(db, driver);
}

/**
 * PGlite serves one process (its data dir is locked) and runs one statement at a time, so code that
 * would hold a row lock across a slow call (e.g. an OAuth refresh) uses in-process single flight there.
 */
export function driverOf(db: Database): Driver {
  return drivers.get(db) ?? "postgres";
}

/**
 * The rows of a raw `execute(sql…)`: postgres.js answers an array, PGlite an object holding `rows`.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
