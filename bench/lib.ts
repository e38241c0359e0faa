import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  type InvalidationListener,
  type Keyring,
  startInvalidationListener,
} from "@tenantry/api/server-runtime";
import { createDb } from "@tenantry/db/create-db";
import type { Database, DatabaseHandle } from "@tenantry/db/database";
import { withDatabase } from "@tenantry/db/test-database";
import { createHttpServer } from "@tenantry/server/http-server";
import pino from "pino";
import postgres from "postgres";

export type Driver = "pglite" | "postgres";

/** The drivers to measure: PGlite always, PostgreSQL when DATABASE_URL is set (or BENCH_DRIVERS says). */
export function benchDrivers(): Driver[] {
  const chosen = process.env.BENCH_DRIVERS?.split(",").map((d) => d.trim()) as Driver[] | undefined;
  if (chosen?.length) return chosen;
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

/**
 * A fresh database for one benchmark; PostgreSQL ones are created on the server and dropped after.
 * Its invalidation listener runs as in a server process, so the per-process caches are on
 * (`invalidation.cache`; empty it with `invalidate("*")` to measure a cold read).
 */
export async function benchDatabase(
  driver: Driver,
): Promise<DatabaseHandle & { invalidation: InvalidationListener }> {
  const handle = await openBenchDatabase(driver);
  const invalidation = await startInvalidationListener(handle);
  return {
    ...handle,
    invalidation,
    async close() {
      await invalidation.stop();
      await handle.close();
    },
  };
}

async function openBenchDatabase(driver: Driver): Promise<DatabaseHandle> {
  if (driver === "pglite") return createDb({});
  const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `tenantry_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const handle = await createDb({ databaseUrl: withDatabase(serverUrl, name), poolSize: 10 });
  return {
    ...handle,
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export interface Measurement {
  name: string;
  samples: number;
  p50: number;
  p99: number;
  mean: number;
  opsPerSecond: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Runs `fn` sequentially `iterations` times after `warmup` runs and reports latency percentiles in
 * milliseconds. `fn` gets the iteration index so each call can differ.
 */
export async function measure(
  name: string,
  fn: (i: number) => Promise<unknown>,
  { iterations = 2000, warmup = 200 }: { iterations?: number; warmup?: number } = {},
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn(warmup + i);
    times.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    name,
    samples: iterations,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    opsPerSecond: (iterations / total) * 1000,
  };
}

/** Runs `total` calls with `concurrency` in flight and reports throughput. */
export async function throughput(
  name: string,
  fn: (i: number) => Promise<unknown>,
  { total, concurrency }: { total: number; concurrency: number },
): Promise<Measurement> {
  let next = 0;
  const times: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await fn(i);
        times.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    name,
    samples: total,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    opsPerSecond: (total / elapsed) * 1000,
  };
}

export function report(title: string, rows: Measurement[]): void {
  console.log(`\n## ${title}\n`);
  console.log("| what | samples | p50 ms | p99 ms | mean ms | ops/s |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.samples} | ${r.p50.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.mean.toFixed(3)} | ${Math.round(r.opsPerSecond)} |`,
    );
  }
}

/** The real HTTP server on a free loopback port, quiet; `base` is its REST root. */
export async function startBenchServer(
  db: Database,
  keyring: Keyring,
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createHttpServer({
    state: { db, keyring },
    logger: pino({ level: "silent" }),
    publicUrl: "http://127.0.0.1",
    bodyLimitBytes: 1024 * 1024,
    version: "bench",
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
