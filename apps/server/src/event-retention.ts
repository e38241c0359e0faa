import { type Clock, deleteExpiredEvents, systemClock } from "@tenantry/api/server-runtime";
import type { Database } from "@tenantry/db/database";
import type { Logger } from "pino";

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
}): { stop(): Promise<void> } {
  const clock = options.clock ?? systemClock;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = deleteExpiredEvents(options.db, clock, options.retentionDays)
      .then((removed) => {
        if (removed > 0) options.logger.info({ removed }, "expired events removed");
      })
      .catch((error: unknown) => options.logger.error({ err: error }, "event cleanup failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs ?? HOUR_MS).unref();
      });
  };
  timer = setTimeout(tick, 0).unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
