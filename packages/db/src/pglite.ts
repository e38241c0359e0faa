import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { drizzle } from "drizzle-orm/pglite";
import { type Database, type DatabaseHandle, registerDriver } from "./database";

export interface PgliteOptions {
  /** A directory (Node), `idb://name` (browser) or undefined for memory. */
  dataDir?: string;
  /** A dump made by `dumpDataDir()`, to start from an already migrated database. */
  loadDataDir?: Blob | File;
}

/**
 * Opens PGlite. Browser-safe: no migrations here, they need the file system (see create-db).
 * Every PGlite Tenantry opens goes through here: the migrations create `pg_trgm` (the tenant search's
 * trigram index), which PGlite can only load when it is named among its extensions at start.
 */
export async function openPglite(options: PgliteOptions = {}): Promise<DatabaseHandle & { client: PGlite }> {
  const client = await PGlite.create({
    extensions: { pg_trgm },
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const db = drizzle({ client, casing: "snake_case" }) as unknown as Database;
  registerDriver(db, "pglite");
  return {
    db,
    driver: "pglite",
    client,
    // One session in this process: a commit's notifications reach the listeners before the commit's
    // promise resolves, so there is nothing in flight for a fence to wait for.
    async listen(channel, handlers) {
      const unlisten = await client.listen(channel, handlers.onNotify);
      handlers.onListening();
      return {
        fence: () => Promise.resolve(true),
        stop: () => unlisten().catch(() => {}),
      };
    },
    close: () => client.close(),
  };
}
