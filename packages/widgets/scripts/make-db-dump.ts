import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createDb } from "@tenantry/db/create-db";
import type { openPglite } from "@tenantry/db/pglite";

/**
 * Writes a PGlite data directory migrated by the real migrator (drizzle's, as the server runs it),
 * for Storybook's in-browser database: loading it skips initdb and the migrations in the browser.
 *
 *   tsx packages/widgets/scripts/make-db-dump.ts <out-file.tar.gz>
 */
const out = process.argv[2];
if (!out) throw new Error("usage: make-db-dump.ts <out-file.tar.gz>");
// Without a database URL, createDb opens in-memory PGlite and migrates it.
const handle = (await createDb({})) as Awaited<ReturnType<typeof openPglite>>;
const dump = await handle.client.dumpDataDir("gzip");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, Buffer.from(await dump.arrayBuffer()));
await handle.close();
console.log(`wrote ${out} (${(dump.size / 1024).toFixed(0)} KB)`);
