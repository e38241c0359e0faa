import { testDriver } from "@tenantry/db/test-database";
import { describe, expect, it } from "vitest";
import { runSoak } from "./testing/soak";

/**
 * The short soak (issue 18): a minute of mixed traffic on two server processes sharing one
 * PostgreSQL database, then one of them drained by SIGTERM under load. `pnpm bench soak` runs the
 * same for ten minutes and reports the figures; this proves the promises, not the speed.
 */
describe.runIf(testDriver() === "postgres")("a minute of mixed traffic on two processes", () => {
  it("answers every request, refreshes tokens, drains without resets and keeps the invariants", async () => {
    const report = await runSoak({
      serverUrl: process.env.DATABASE_URL!,
      seconds: 60,
      concurrency: 8,
      windows: 6,
    });
    expect(report.errorSamples).toEqual([]);
    expect(report.errors).toBe(0);
    expect(report.requests).toBeGreaterThan(500);
    // Tokens live 20 s at the provider: reads and the refresher must have refreshed them.
    expect(report.refreshGrants).toBeGreaterThan(0);
    expect(report.invariants).toEqual({
      usageExact: true,
      countersEqualBuckets: true,
      everyTenantOwned: true,
    });
    // Drained: what the process had accepted was answered, later callers were refused, none reset.
    expect(report.drain.exitCode).toBe(0);
    expect(report.drain.reset).toBe(0);
    expect(report.drain.answered).toBeGreaterThan(0);
    // Connection pools stay bounded (two pools of 10, plus this check's own connection).
    for (const window of report.windows) expect(window.dbConnections).toBeLessThanOrEqual(21);
  }, 300_000);
});
