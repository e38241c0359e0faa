import { type Clock, type Keyring, refreshExpiringConnections } from "@tenantry/api/server-runtime";
import type { Database } from "@tenantry/db/database";
import type { Logger } from "pino";

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
}): { stop(): Promise<void> } {
  if (options.intervalMs <= 0) return { stop: async () => {} };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = refreshExpiringConnections(options)
      .then((run) => {
        if (run.refreshed > 0 || run.failed > 0) options.logger.info(run, "connection refresher pass");
      })
      .catch((error: unknown) => options.logger.error({ err: error }, "connection refresher pass failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs).unref();
      });
  };
  timer = setTimeout(tick, options.intervalMs).unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
