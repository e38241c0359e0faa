import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { DatabaseHandle } from "./database";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";

/**
 * The committed SQL migrations. From the sources they are the package's `migrations/` beside `src/`;
 * a bundle (apps/server's `dist/`, where this module is inlined) carries a copy next to itself.
 */
export const MIGRATIONS_FOLDER = findMigrationsFolder(["./migrations", "../migrations"]);

function findMigrationsFolder(candidates: string[]): string {
  const folders = candidates.map((candidate) => fileURLToPath(new URL(candidate, import.meta.url)));
  const found = folders.find((folder) => existsSync(join(folder, "meta", "_journal.json")));
  // Neither there (a bundle built without its copy): the package's own folder, as before bundles.
  return found ?? folders[folders.length - 1]!;
}

/** Any fixed number: every Tenantry process takes this advisory lock while it migrates. */
const MIGRATION_LOCK_ID = 7_363_581_020;

export interface CreateDbOptions {
  /** A PostgreSQL URL. Unset: embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite's data directory; `memory://` or undefined keeps it in memory. */
  dataDir?: string | undefined;
  /** Postgres pool size per process. */
  poolSize?: number | undefined;
}

/**
 * Opens the database for a Node process and applies pending migrations.
 * PGlite when no `databaseUrl` is given, postgres.js otherwise; the schema and migrations are the same.
 */
export async function createDb(options: CreateDbOptions = {}): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    await migratePostgresDatabase(options.databaseUrl);
    return openPostgres({ url: options.databaseUrl, max: options.poolSize });
  }
  const inMemory = !options.dataDir || options.dataDir.startsWith("memory://");
  if (!inMemory && options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const handle = await openPglite(inMemory ? {} : { dataDir: options.dataDir });
  await migratePglite(drizzlePglite({ client: handle.client }), { migrationsFolder: MIGRATIONS_FOLDER });
  return handle;
}

/**
 * Several server processes may start at once against one PostgreSQL: the advisory lock, held on one
 * dedicated connection, makes them migrate one after the other (the later ones find nothing to do).
 */
export async function migratePostgresDatabase(databaseUrl: string): Promise<void> {
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    try {
      await migratePostgres(drizzlePostgres({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}
