import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCaller, createContext } from "@tenantry/api";
import { bootstrapDefaultWorkspace, createKeyring, parseKeyMaterial } from "@tenantry/api/server-runtime";
import { formatsOf, sealedValues, sealTheOldWay, seededTenant, seedSecrets } from "@tenantry/api/testing";
import { createDb } from "@tenantry/db/create-db";
import { dataMigrations } from "@tenantry/db/schema/data-migrations";
import { testDriver, withDatabase } from "@tenantry/db/test-database";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { runScript, type ServerRun, startServerProcess } from "./testing/server-process";

/**
 * The re-seal data migration as operators meet it: a database whose secrets were sealed the old way
 * (associated data without the workspace), then the real server starting on it, or `tenantry
 * migrate` — twice at once on one PostgreSQL.
 */
const ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");
const API_KEY = `tnt_sk_${"m".repeat(40)}`;
const PROCESS_TIMEOUT = 180_000;
const TENANTS = 5;

type Run = ServerRun;

/** This file's processes: the shared runner with this file's encryption key (and bootstrap key). */
const run = (script: string, args: string[], env: Record<string, string>): Run =>
  runScript(script, args, {
    TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
    TENANTRY_BOOTSTRAP_API_KEY: API_KEY,
    ...env,
  });
const startServer = (env: Record<string, string>) =>
  startServerProcess({
    TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
    TENANTRY_BOOTSTRAP_API_KEY: API_KEY,
    ...env,
  });

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * A database as an older Tenantry left it: secrets of every kind, sealed in the v1 format with the
 * old associated data. Closed again (PGlite allows one process), reopened with `open()`.
 */
async function legacyDatabase() {
  let env: Record<string, string>;
  if (testDriver() === "postgres") {
    const name = `tenantry_reseal_${Math.random().toString(36).slice(2, 10)}`;
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    cleanups.push(async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    });
    env = { DATABASE_URL: withDatabase(process.env.DATABASE_URL!, name) };
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), "tenantry-reseal-"));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    env = { TENANTRY_DATA_DIR: dataDir };
  }
  const keyring = await createKeyring(parseKeyMaterial(ENCRYPTION_KEY));
  const open = async () => {
    const handle = await createDb({ databaseUrl: env.DATABASE_URL, dataDir: env.TENANTRY_DATA_DIR });
    const api = createCaller(
      createContext({
        db: handle.db,
        keyring,
        header: (name) => (name === "x-api-key" ? API_KEY : undefined),
        publicUrl: "http://127.0.0.1:4000",
      }),
    );
    return { ...handle, api };
  };
  const handle = await open();
  await bootstrapDefaultWorkspace(handle.db, { bootstrapApiKey: API_KEY });
  const seeded = await seedSecrets(handle.api, { tenants: TENANTS });
  const count = await sealTheOldWay(handle.db, keyring);
  await handle.close();
  return { env, open, seeded, count };
}

const sealedLines = (output: string) =>
  [...output.matchAll(/sealed (\d+) secret\(s\) again, bound to their workspace/g)].map((m) => Number(m[1]));

describe("re-sealing secrets bound to their workspace", () => {
  it(
    "the server's start seals legacy secrets again before it serves them; `migrate` then has nothing to do",
    async () => {
      const legacy = await legacyDatabase();
      const server = await startServer(legacy.env);
      try {
        const get = async (path: string) => {
          const response = await fetch(`${server.url}/api/v1${path}`, {
            headers: { authorization: `Bearer ${API_KEY}` },
          });
          expect(response.status).toBe(200);
          return response.json();
        };
        for (const [i, id] of legacy.seeded.tenantIds.entries()) {
          expect(await get(`/tenants/${id}/credentials`)).toMatchObject({
            credentials: seededTenant(i).credentials,
          });
          expect(await get(`/tenants/${id}/secret-fields`)).toMatchObject({ values: seededTenant(i).fields });
        }
        expect(await get(`/connections/${legacy.seeded.apiKeyConnection.id}/credentials`)).toEqual({
          type: "api_key",
          parameters: { apiKey: "tracker-key-1" },
        });
      } finally {
        server.child.kill("SIGTERM");
        expect(await server.exited).toBe(0);
      }
      // Nothing on stderr but the start-up banner (off a terminal it goes there, whole, in one write).
      expect(server.stderr()).toMatch(/^\nTenantry \S+ is ready at [^\n]+\n[^\n]+\n\n$/);

      const again = run("src/cli.ts", ["migrate"], legacy.env);
      expect(await again.exited).toBe(0);
      expect(again.stdout()).toBe("Migrations applied.\n");

      const handle = await legacy.open();
      try {
        expect(formatsOf(await sealedValues(handle.db))).toEqual({ v2: legacy.count });
        expect(await handle.db.select({ name: dataMigrations.name }).from(dataMigrations)).toHaveLength(1);
      } finally {
        await handle.close();
      }
    },
    PROCESS_TIMEOUT,
  );

  it.runIf(testDriver() === "postgres")(
    "two `tenantry migrate` at once on one PostgreSQL seal each value exactly once",
    async () => {
      const legacy = await legacyDatabase();
      const runs = [run("src/cli.ts", ["migrate"], legacy.env), run("src/cli.ts", ["migrate"], legacy.env)];
      expect(await Promise.all(runs.map((r) => r.exited))).toEqual([0, 0]);
      for (const r of runs) expect(r.stdout()).toContain("Migrations applied.");
      const sealed = runs.flatMap((r) => sealedLines(r.stdout()));
      expect(sealed.reduce((sum, n) => sum + n, 0)).toBe(legacy.count);

      const handle = await legacy.open();
      try {
        expect(formatsOf(await sealedValues(handle.db))).toEqual({ v2: legacy.count });
        for (const [i, id] of legacy.seeded.tenantIds.entries()) {
          expect((await handle.api.tenants.credentials({ id })).credentials).toEqual(
            seededTenant(i).credentials,
          );
          expect((await handle.api.tenants.secretFields({ id })).values).toEqual(seededTenant(i).fields);
        }
      } finally {
        await handle.close();
      }
    },
    PROCESS_TIMEOUT,
  );
});
