import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDb } from "./create-db";
import type { DatabaseHandle } from "./database";

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or, when the test project runs
 * against PostgreSQL (`TENANTRY_TEST_DRIVER=postgres` with `DATABASE_URL`), a new database on that
 * server that `close()` drops again.
 */
export async function createTestDatabase(): Promise<DatabaseHandle & { url?: string }> {
  if (testDriver() === "pglite") return createDb({});
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error("TENANTRY_TEST_DRIVER=postgres needs DATABASE_URL");
  const name = `tenantry_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = withDatabase(serverUrl, name);
  const handle = await createDb({ databaseUrl: url, poolSize: 20 });
  return {
    ...handle,
    url,
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

export function testDriver(): "pglite" | "postgres" {
  return process.env.TENANTRY_TEST_DRIVER === "postgres" ? "postgres" : "pglite";
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
