import type { Database, DatabaseHandle, Executor } from "@tenantry/db/database";
import { type CacheOptions, InvalidationCache } from "./cache";

/** The channel the migration's triggers notify (0015_auth-invalidation.sql). */
export const INVALIDATION_CHANNEL = "tenantry_invalidation";

const caches = new WeakMap<Database, InvalidationCache>();

/**
 * The cache of a database this process listens on; null for a transaction (it may see its own
 * uncommitted writes) or a database nobody listens on (then nothing is cached).
 */
export function cacheOf(db: Executor): InvalidationCache | null {
  return caches.get(db as Database) ?? null;
}

export interface InvalidationListener {
  cache: InvalidationCache | null;
  stop(): Promise<void>;
}

/**
 * Starts this process's listener on the database's invalidation channel and turns its cache on.
 * Every server process does this at start-up; a handle that cannot listen leaves caching off.
 */
export async function startInvalidationListener(
  handle: DatabaseHandle,
  options: CacheOptions = {},
): Promise<InvalidationListener> {
  if (!handle.listen) return { cache: null, stop: async () => {} };
  let cache: InvalidationCache | null = null;
  let fence: () => Promise<boolean> = () => Promise.resolve(false);
  const created = new InvalidationCache(() => fence(), options);
  cache = created;
  const listener = await handle.listen(INVALIDATION_CHANNEL, {
    onNotify: (payload) => created.invalidate(payload),
    onListening: () => created.listeningStarted(),
    onLost: () => created.listeningLost(),
  });
  fence = () => listener.fence();
  caches.set(handle.db, created);
  return {
    cache,
    async stop() {
      if (caches.get(handle.db) === created) caches.delete(handle.db);
      created.listeningLost();
      await listener.stop();
    },
  };
}
