import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDriver, withDatabase } from "@tenantry/db/test-database";
import postgres from "postgres";
import { type ServerRun, startServerProcess } from "./server-process";

/**
 * What the kill -9 tests share: one database that outlives the server processes they kill (on
 * PGlite a data directory, on PostgreSQL a fresh database), the environment to start a server on it,
 * and a seeded random source so a failing run can be repeated with `CRASH_SEED`.
 */
export const CRASH_KEY = `tnt_sk_${"k".repeat(40)}`;
const ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");

export type CrashServer = ServerRun & { url: string };

/** A linear congruential generator: the same seed, the same kills. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export const crashSeed = () => Number(process.env.CRASH_SEED ?? Date.now() % 100_000);

export interface CrashDatabase {
  /** `databaseUrl` on PostgreSQL, `dataDir` on PGlite: what `createDb` takes to open it. */
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** Starts a server on the database (the env adds to the defaults). */
  start(env?: Record<string, string>): Promise<CrashServer>;
  /** SIGKILL, and wait for the process to be gone. */
  kill(server: CrashServer): Promise<void>;
  /** Kills what is still running and drops the database. */
  close(): Promise<void>;
}

export async function openCrashDatabase(prefix: string): Promise<CrashDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `tenantry-${prefix}-`));
  let databaseUrl: string | undefined;
  let admin: ReturnType<typeof postgres> | undefined;
  const dbName = `tenantry_${prefix.replace(/\W/g, "_")}_${Math.random().toString(36).slice(2, 10)}`;
  if (testDriver() === "postgres") {
    admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${dbName}`);
    databaseUrl = withDatabase(process.env.DATABASE_URL!, dbName);
  }
  const running = new Set<CrashServer>();
  const kill = async (server: CrashServer) => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill("SIGKILL");
    await server.exited;
    running.delete(server);
  };
  return {
    dataDir,
    databaseUrl,
    async start(env = {}) {
      const server = await startServerProcess({
        TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
        TENANTRY_BOOTSTRAP_API_KEY: CRASH_KEY,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { TENANTRY_DATA_DIR: dataDir }),
        ...env,
      });
      running.add(server);
      return server;
    },
    kill,
    async close() {
      await Promise.all([...running].map(kill));
      rmSync(dataDir, { recursive: true, force: true });
      if (admin) {
        await admin.unsafe(`drop database if exists ${dbName} with (force)`);
        await admin.end({ timeout: 5 });
      }
    },
  };
}
