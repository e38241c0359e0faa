import { type Clock, type Keyring, refreshExpiringConnections } from "@tenantry/api/server-runtime";
import type { Database } from "@tenantry/db/database";
import type { Logger } from "pino";
import { type PeriodicTask, startPeriodic } from "./periodic";

/**
 * Renews OAuth tokens ahead of expiry, so credential reads rarely wait on a provider. Every process
 * runs the timer; the advisory lock inside a pass lets only one of them work at a time.
 */
export function startConnectionRefresher(options: {
  db: Database;
  keyring: Keyring;
  clock: Clock;
  intervalMs: number;
  logger: Logger;
}): PeriodicTask {
  if (options.intervalMs <= 0) return { stop: async () => {} };
  return startPeriodic({
    firstDelayMs: options.intervalMs,
    retryMs: options.intervalMs,
    pass: async () => {
      const run = await refreshExpiringConnections(options);
      if (run.refreshed > 0 || run.failed > 0) options.logger.info(run, "connection refresher pass");
      return options.intervalMs;
    },
    onError: (error) => options.logger.error({ err: error }, "connection refresher pass failed"),
  });
}
