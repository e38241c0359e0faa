import { type Clock, deleteExpiredEvents, systemClock } from "@tenantry/api/server-runtime";
import type { Database } from "@tenantry/db/database";
import type { Logger } from "pino";
import { type PeriodicTask, startPeriodic } from "./periodic";

const HOUR_MS = 3_600_000;

/**
 * Removes events older than the retention, once at start and then hourly. Every process runs it;
 * a delete of rows another process already removed simply removes nothing.
 */
export function startEventRetention(options: {
  db: Database;
  retentionDays: number;
  logger: Logger;
  clock?: Clock;
  intervalMs?: number;
}): PeriodicTask {
  const clock = options.clock ?? systemClock;
  const intervalMs = options.intervalMs ?? HOUR_MS;
  return startPeriodic({
    firstDelayMs: 0,
    retryMs: intervalMs,
    pass: async () => {
      const removed = await deleteExpiredEvents(options.db, clock, options.retentionDays);
      if (removed > 0) options.logger.info({ removed }, "expired events removed");
      return intervalMs;
    },
    onError: (error) => options.logger.error({ err: error }, "event cleanup failed"),
  });
}
