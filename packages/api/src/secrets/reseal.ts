import type { Database, Transaction } from "@tenantry/db/database";
import { apps, connections, oauthStates } from "@tenantry/db/schema/connections";
import { signingKeys } from "@tenantry/db/schema/signing-keys";
import { tenants } from "@tenantry/db/schema/tenants";
import { webhookEndpoints } from "@tenantry/db/schema/webhooks";
import { and, asc, eq, isNotNull, or, type SQL, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { clientSecretAad } from "../apps/service";
import { verifierAad } from "../connections/oauth";
import { connectionCredentialsAad } from "../connections/sealed-credentials";
import { secretFieldAad } from "../fields/service";
import { signingSecretAad } from "../signing-keys/service";
import { credentialsAad } from "../tenants/credentials";
import { webhookSecretAad } from "../webhooks/endpoints";
import {
  type AssociatedData,
  DecryptionError,
  isLegacySealed,
  type Keyring,
  LEGACY_FORMAT,
  SEALED_FORMAT,
} from "./keyring";

/**
 * Seals secrets again, everywhere Tenantry keeps one: tenant credentials and secret fields, HS256
 * signing secrets, OAuth client secrets, connection credentials, PKCE verifiers and webhook
 * endpoints' signing secrets (current and previous).
 *
 * - `legacy`: values in the `v1` format, whose associated data does not name the workspace (the
 *   data migration in `data-migrations.ts`);
 * - `stale`: those and every value sealed under another key than the current one (`tenantry
 *   rotate-keys`).
 *
 * Work goes in batches of rows, each in its own transaction that first takes one advisory lock, so
 * several processes doing this at once take turns batch by batch and never seal one value twice, and
 * a process killed half-way leaves every committed batch done and the rest as it was (both forms
 * open). Rows are read `FOR UPDATE`, so a concurrent write to a row waits for its batch, or the
 * batch for the write. A value that opens with none of the configured keys is left as it is and
 * counted as `unreadable`.
 */
export type ResealKind = "legacy" | "stale";

export interface ResealResult {
  resealed: number;
  unreadable: number;
}

/** Any fixed number, shared by every process that seals secrets again (see create-db's migration lock). */
export const RESEAL_LOCK_ID = 7_363_581_021;
const BATCH = 200;

interface RowKey {
  workspaceId: string;
  id: string;
}

export async function resealSecrets(db: Database, keyring: Keyring, kind: ResealKind): Promise<ResealResult> {
  // The same question in SQL (to find rows) and in code (to pick the values in a row).
  const currentPrefix = `${SEALED_FORMAT}.${keyring.currentKeyId}.`;
  const needsSql = (value: SQL | PgColumn): SQL =>
    kind === "legacy"
      ? sql`starts_with(${value}, ${`${LEGACY_FORMAT}.`})`
      : sql`not starts_with(${value}, ${currentPrefix})`;
  const needs = (sealed: string) => (kind === "legacy" ? isLegacySealed(sealed) : keyring.isStale(sealed));
  const total: ResealResult = { resealed: 0, unreadable: 0 };

  /** One value sealed again under the current key and associated data; null when it does not open. */
  const again = async (sealed: string, aad: AssociatedData, batch: ResealResult): Promise<string | null> => {
    try {
      const fresh = await keyring.seal(await keyring.open(sealed, aad), aad);
      batch.resealed++;
      return fresh;
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      batch.unreadable++;
      return null;
    }
  };

  async function inBatches<Row extends RowKey>(
    table: { workspaceId: PgColumn; id: PgColumn },
    page: (tx: Transaction, after: SQL | undefined) => Promise<Row[]>,
    write: (tx: Transaction, row: Row, batch: ResealResult) => Promise<void>,
  ): Promise<void> {
    let last: RowKey | undefined;
    for (;;) {
      const batch: ResealResult = { resealed: 0, unreadable: 0 };
      const after: SQL | undefined = last
        ? sql`(${table.workspaceId}, ${table.id}) > (${last.workspaceId}, ${last.id})`
        : undefined;
      const rows = await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${RESEAL_LOCK_ID})`);
        const rows = await page(tx, after);
        for (const row of rows) await write(tx, row, batch);
        return rows;
      });
      total.resealed += batch.resealed;
      total.unreadable += batch.unreadable;
      if (rows.length < BATCH) return;
      last = rows[rows.length - 1]!;
    }
  }

  await inBatches(
    tenants,
    (tx, after) =>
      tx
        .select({
          workspaceId: tenants.workspaceId,
          id: tenants.id,
          credentialsSealed: tenants.credentialsSealed,
          secretFields: tenants.secretFields,
        })
        .from(tenants)
        .where(
          and(
            after,
            or(
              and(isNotNull(tenants.credentialsSealed), needsSql(tenants.credentialsSealed)),
              sql`exists (select 1 from jsonb_each_text(${tenants.secretFields}) as field(name, value) where ${needsSql(sql`field.value`)})`,
            ),
          ),
        )
        .orderBy(asc(tenants.workspaceId), asc(tenants.id))
        .limit(BATCH)
        .for("update"),
    async (tx, row, batch) => {
      let changed = false;
      let credentialsSealed = row.credentialsSealed;
      if (credentialsSealed && needs(credentialsSealed)) {
        const fresh = await again(credentialsSealed, credentialsAad(row.workspaceId, row.id), batch);
        if (fresh) [credentialsSealed, changed] = [fresh, true];
      }
      const secretFields = { ...row.secretFields };
      for (const [name, sealed] of Object.entries(secretFields)) {
        if (!needs(sealed)) continue;
        const fresh = await again(sealed, secretFieldAad(row.workspaceId, row.id, name), batch);
        if (fresh) [secretFields[name], changed] = [fresh, true];
      }
      if (!changed) return;
      await tx
        .update(tenants)
        .set({ credentialsSealed, secretFields })
        .where(and(eq(tenants.workspaceId, row.workspaceId), eq(tenants.id, row.id)));
    },
  );

  /** A table with one sealed column. */
  const single = <Row extends RowKey & { sealed: string | null }>(
    table: { workspaceId: PgColumn; id: PgColumn },
    sealedColumn: PgColumn,
    select: (tx: Transaction, where: SQL) => Promise<Row[]>,
    aad: (row: Row) => AssociatedData,
    update: (tx: Transaction, row: Row, fresh: string) => Promise<unknown>,
  ) =>
    inBatches(
      table,
      (tx, after) => select(tx, and(after, isNotNull(sealedColumn), needsSql(sealedColumn))!),
      async (tx, row, batch) => {
        const fresh = await again(row.sealed!, aad(row), batch);
        if (fresh) await update(tx, row, fresh);
      },
    );

  await single(
    signingKeys,
    signingKeys.secretSealed,
    (tx, where) =>
      tx
        .select({
          workspaceId: signingKeys.workspaceId,
          id: signingKeys.id,
          sealed: signingKeys.secretSealed,
        })
        .from(signingKeys)
        .where(where)
        .orderBy(asc(signingKeys.workspaceId), asc(signingKeys.id))
        .limit(BATCH)
        .for("update"),
    (row) => signingSecretAad(row.workspaceId, row.id),
    (tx, row, fresh) =>
      tx
        .update(signingKeys)
        .set({ secretSealed: fresh })
        .where(and(eq(signingKeys.workspaceId, row.workspaceId), eq(signingKeys.id, row.id))),
  );

  await single(
    apps,
    apps.clientSecretSealed,
    (tx, where) =>
      tx
        .select({ workspaceId: apps.workspaceId, id: apps.id, sealed: apps.clientSecretSealed })
        .from(apps)
        .where(where)
        .orderBy(asc(apps.workspaceId), asc(apps.id))
        .limit(BATCH)
        .for("update"),
    (row) => clientSecretAad(row),
    (tx, row, fresh) =>
      tx
        .update(apps)
        .set({ clientSecretSealed: fresh })
        .where(and(eq(apps.workspaceId, row.workspaceId), eq(apps.id, row.id))),
  );

  await single(
    connections,
    connections.credentialsSealed,
    (tx, where) =>
      tx
        .select({
          workspaceId: connections.workspaceId,
          id: connections.id,
          sealed: connections.credentialsSealed,
        })
        .from(connections)
        .where(where)
        .orderBy(asc(connections.workspaceId), asc(connections.id))
        .limit(BATCH)
        .for("update"),
    (row) => connectionCredentialsAad(row),
    (tx, row, fresh) =>
      tx
        .update(connections)
        .set({ credentialsSealed: fresh })
        .where(and(eq(connections.workspaceId, row.workspaceId), eq(connections.id, row.id))),
  );

  await single(
    oauthStates,
    oauthStates.codeVerifierSealed,
    (tx, where) =>
      tx
        .select({
          workspaceId: oauthStates.workspaceId,
          id: oauthStates.id,
          sealed: oauthStates.codeVerifierSealed,
        })
        .from(oauthStates)
        .where(where)
        .orderBy(asc(oauthStates.workspaceId), asc(oauthStates.id))
        .limit(BATCH)
        .for("update"),
    (row) => verifierAad(row),
    (tx, row, fresh) =>
      tx.update(oauthStates).set({ codeVerifierSealed: fresh }).where(eq(oauthStates.id, row.id)),
  );

  for (const [column, which] of [
    [webhookEndpoints.secretSealed, "secret"],
    [webhookEndpoints.previousSecretSealed, "previous_secret"],
  ] as const) {
    await single(
      webhookEndpoints,
      column,
      (tx, where) =>
        tx
          .select({ workspaceId: webhookEndpoints.workspaceId, id: webhookEndpoints.id, sealed: column })
          .from(webhookEndpoints)
          .where(where)
          .orderBy(asc(webhookEndpoints.workspaceId), asc(webhookEndpoints.id))
          .limit(BATCH)
          .for("update"),
      (row) => webhookSecretAad(row, which),
      (tx, row, fresh) =>
        tx
          .update(webhookEndpoints)
          .set(which === "secret" ? { secretSealed: fresh } : { previousSecretSealed: fresh })
          .where(and(eq(webhookEndpoints.workspaceId, row.workspaceId), eq(webhookEndpoints.id, row.id))),
    );
  }

  return total;
}
