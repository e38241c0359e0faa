import type { Database } from "@tenantry/db/database";
import { dataMigrations } from "@tenantry/db/schema/data-migrations";
import { eq } from "drizzle-orm";
import type { Keyring } from "./keyring";
import { resealSecrets } from "./reseal";

/**
 * Data migrations: work the SQL migrations cannot do (here, decrypting), run after them at start-up
 * and by `tenantry migrate`. Each is idempotent and safe to run from several processes at once; it is
 * recorded in `data_migrations` once nothing is left for it, and skipped from then on.
 */
export interface DataMigrationReport {
  name: string;
  /** False when it had already finished before (nothing was read). */
  ran: boolean;
  resealed: number;
  /** Values that opened with none of the configured keys: left as they are, so the migration is not finished. */
  unreadable: number;
  completed: boolean;
}

/**
 * Every sealed value in the `v1` format (associated data `tenant:{id}:credentials`, without the
 * workspace) is sealed again in `v2` (`workspace:{workspaceId}:tenant:{id}:credentials`). Until a row
 * is done, reads open it with its legacy associated data; the format of each value says which.
 */
export const WORKSPACE_AAD_MIGRATION = "0008_workspace_associated_data";

/** Where a run says what it did (the server's logger, the command line's output). */
export type DataMigrationLog = (
  level: "info" | "warn",
  message: string,
  details: Omit<DataMigrationReport, "ran">,
) => void;

export async function runDataMigrations(
  db: Database,
  keyring: Keyring,
  log: DataMigrationLog = () => {},
): Promise<DataMigrationReport[]> {
  const name = WORKSPACE_AAD_MIGRATION;
  const [done] = await db.select().from(dataMigrations).where(eq(dataMigrations.name, name));
  if (done) return [{ name, ran: false, resealed: 0, unreadable: 0, completed: true }];
  const { resealed, unreadable } = await resealSecrets(db, keyring, "legacy");
  const completed = unreadable === 0;
  if (completed) {
    await db.insert(dataMigrations).values({ name }).onConflictDoNothing();
    log("info", `Data migration ${name}: sealed ${resealed} secret(s) again, bound to their workspace.`, {
      name,
      resealed,
      unreadable,
      completed,
    });
  } else {
    log(
      "warn",
      `Data migration ${name}: ${unreadable} secret(s) open with none of the configured keys and stay as they are; it runs again at the next start.`,
      { name, resealed, unreadable, completed },
    );
  }
  return [{ name, ran: true, resealed, unreadable, completed }];
}
