import type { Database } from "@tenantry/db/database";
import { signingKeys } from "@tenantry/db/schema/signing-keys";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, asc, eq, gt } from "drizzle-orm";
import { secretFieldAad } from "../fields/service";
import { signingSecretAad } from "../signing-keys/service";
import { credentialsAad } from "../tenants/service";
import type { Keyring } from "./keyring";

/**
 * `tenantry rotate-keys`: seals every secret that an older key sealed again under the current key,
 * in pages, each row with a compare-and-set so a concurrent write is never overwritten.
 * Afterwards the previous keys can be dropped from TENANTRY_PREVIOUS_ENCRYPTION_KEYS.
 */
export async function resealStaleSecrets(db: Database, keyring: Keyring): Promise<{ resealed: number }> {
  let resealed = 0;
  const stale = (sealed: string | null): sealed is string => sealed !== null && keyring.isStale(sealed);

  let after = "";
  for (;;) {
    const page = await db
      .select({
        workspaceId: tenants.workspaceId,
        id: tenants.id,
        credentialsSealed: tenants.credentialsSealed,
        secretFields: tenants.secretFields,
      })
      .from(tenants)
      .where(gt(tenants.id, after))
      .orderBy(asc(tenants.id))
      .limit(500);
    for (const row of page) {
      const where = and(eq(tenants.workspaceId, row.workspaceId), eq(tenants.id, row.id));
      if (stale(row.credentialsSealed)) {
        const aad = credentialsAad(row.id);
        const fresh = await keyring.seal(await keyring.open(row.credentialsSealed, aad), aad);
        await db
          .update(tenants)
          .set({ credentialsSealed: fresh })
          .where(and(where, eq(tenants.credentialsSealed, row.credentialsSealed)));
        resealed++;
      }
      const staleFields = Object.entries(row.secretFields).filter(([, sealed]) => keyring.isStale(sealed));
      if (staleFields.length > 0) {
        await db.transaction(async (tx) => {
          const [current] = await tx
            .select({ secretFields: tenants.secretFields })
            .from(tenants)
            .where(where)
            .for("update");
          if (!current) return;
          const next = { ...current.secretFields };
          for (const [name, sealed] of Object.entries(next)) {
            if (!keyring.isStale(sealed)) continue;
            const aad = secretFieldAad(row.id, name);
            next[name] = await keyring.seal(await keyring.open(sealed, aad), aad);
            resealed++;
          }
          await tx.update(tenants).set({ secretFields: next }).where(where);
        });
      }
    }
    if (page.length < 500) break;
    after = page[page.length - 1]!.id;
  }

  const keys = await db.select().from(signingKeys);
  for (const key of keys) {
    if (!stale(key.secretSealed)) continue;
    const aad = signingSecretAad(key.id);
    const fresh = await keyring.seal(await keyring.open(key.secretSealed, aad), aad);
    await db
      .update(signingKeys)
      .set({ secretSealed: fresh })
      .where(
        and(
          eq(signingKeys.workspaceId, key.workspaceId),
          eq(signingKeys.id, key.id),
          eq(signingKeys.secretSealed, key.secretSealed),
        ),
      );
    resealed++;
  }
  return { resealed };
}
