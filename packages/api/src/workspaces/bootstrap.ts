import type { Database } from "@tenantry/db/database";
import { apiKeys } from "@tenantry/db/schema/api-keys";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { eq, sql } from "drizzle-orm";
import { createApiKey, hashApiKey } from "../api-keys/service";
import { ensureBuiltInRoles } from "../roles/service";

/** Fixed so that several processes starting at once agree on it without talking to each other. */
export const DEFAULT_WORKSPACE_ID = "ws_00000000-0000-7000-8000-000000000001";
const BOOTSTRAP_LOCK_ID = 7_363_581_021;

export interface BootstrapResult {
  workspaceId: string;
  /** A key generated on first start, to print once; null when one existed or was given. */
  generatedApiKey: string | null;
}

/**
 * Creates the default workspace on first start. The given bootstrap key becomes its admin key;
 * without one, a key is generated only while the workspace has none. Safe to run from several
 * processes at once: the advisory lock makes them take turns. `(db, …)`: it runs at start-up and in
 * the CLI, before there is any actor.
 */
export async function bootstrapDefaultWorkspace(
  db: Database,
  options: { bootstrapApiKey?: string | undefined } = {},
): Promise<BootstrapResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK_ID})`);
    await tx
      .insert(workspaces)
      .values({ id: DEFAULT_WORKSPACE_ID, name: "Default workspace" })
      .onConflictDoNothing();
    await ensureBuiltInRoles(tx, DEFAULT_WORKSPACE_ID);

    if (options.bootstrapApiKey) {
      const keyHash = await hashApiKey(options.bootstrapApiKey);
      const [known] = await tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.keyHash, keyHash));
      if (!known) {
        await createApiKey(tx, {
          workspaceId: DEFAULT_WORKSPACE_ID,
          name: "Bootstrap admin key",
          plaintext: options.bootstrapApiKey,
        });
      }
      return { workspaceId: DEFAULT_WORKSPACE_ID, generatedApiKey: null };
    }

    const [any] = await tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(eq(apiKeys.workspaceId, DEFAULT_WORKSPACE_ID))
      .limit(1);
    if (any) return { workspaceId: DEFAULT_WORKSPACE_ID, generatedApiKey: null };
    const created = await createApiKey(tx, { workspaceId: DEFAULT_WORKSPACE_ID, name: "Admin key" });
    return { workspaceId: DEFAULT_WORKSPACE_ID, generatedApiKey: created.key };
  });
}
