import type { DatabaseHandle } from "@tenantry/db/database";
import { createTestDatabase } from "@tenantry/db/test-database";
import { createApiKey } from "../api-keys/service";
import { createContext } from "../context";
import { type InvalidationListener, startInvalidationListener } from "../invalidation/listener";
import { createCaller } from "../root";
import { type Keyring, randomKeyring } from "../secrets/keyring";
import { type Clock, systemClock } from "../shared/clock";
import { bootstrapDefaultWorkspace } from "../workspaces/bootstrap";

/** The server URL tRPC callers in tests act as if they were reached at (OAuth redirect URIs). */
export const HARNESS_PUBLIC_URL = "http://127.0.0.1:4000";

export interface Harness {
  handle: DatabaseHandle;
  /** The process's invalidation listener and cache (null cache: the handle cannot listen). */
  invalidation: InvalidationListener;
  keyring: Keyring;
  /** The clock every caller's services read (a test clock when the test passed one). */
  clock: Clock;
  workspaceId: string;
  apiKey: string;
  /** A tRPC caller acting with the workspace's API key. */
  api: ReturnType<typeof createCaller>;
  /** A tRPC caller with the given request headers (e.g. another key, an access token, none). */
  callerWith(headers: Record<string, string>, options?: { origin?: string }): ReturnType<typeof createCaller>;
  close(): Promise<void>;
}

/** A real, migrated database (PGlite or PostgreSQL, per test project) with a workspace and a key. */
export async function createHarness(
  options: { clock?: Clock; webhookAllowHosts?: string[] } = {},
): Promise<Harness> {
  const clock = options.clock ?? systemClock;
  const webhookUrlPolicy = { allowHosts: new Set(options.webhookAllowHosts ?? []) };
  const handle = await createTestDatabase();
  // As in every server process: the caches are on, kept fresh by the database's notifications.
  const invalidation = await startInvalidationListener(handle);
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db, {});
  const { key } = await createApiKey(handle.db, { workspaceId, name: "test" });
  const keyring = await randomKeyring();
  const callerWith = (headers: Record<string, string>, options: { origin?: string } = {}) =>
    createCaller(
      createContext({
        db: handle.db,
        keyring,
        header: (name) => headers[name],
        origin: options.origin ?? null,
        publicUrl: HARNESS_PUBLIC_URL,
        clock,
        webhookUrlPolicy,
      }),
    );
  return {
    handle,
    invalidation,
    keyring,
    clock,
    workspaceId,
    apiKey: key,
    api: callerWith({ authorization: `Bearer ${key}` }),
    callerWith,
    async close() {
      await invalidation.stop();
      await handle.close();
    },
  };
}
