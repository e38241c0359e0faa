import type { Database } from "@tenantry/db/database";
import { DecryptionError, type Keyring } from "./keyring";
import { resealSecrets } from "./reseal";

/**
 * `tenantry rotate-keys`: seals every secret that an older key sealed (or that is still in the
 * legacy format) again under the current key, in batches, each row under its lock so a concurrent
 * write is never overwritten. Afterwards the previous keys can be dropped from
 * TENANTRY_PREVIOUS_ENCRYPTION_KEYS.
 */
export async function resealStaleSecrets(db: Database, keyring: Keyring): Promise<{ resealed: number }> {
  const { resealed, unreadable } = await resealSecrets(db, keyring, "stale");
  if (unreadable > 0) {
    throw new DecryptionError(
      `${unreadable} secret(s) opened with neither TENANTRY_ENCRYPTION_KEY nor TENANTRY_PREVIOUS_ENCRYPTION_KEYS and were left as they are (${resealed} other(s) sealed again); keep the previous keys until they are`,
    );
  }
  return { resealed };
}
