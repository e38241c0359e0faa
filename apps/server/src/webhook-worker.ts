import {
  type Clock,
  deliverDueMessages,
  type Keyring,
  systemClock,
  type WebhookUrlPolicy,
} from "@tenantry/api/server-runtime";
import type { Database } from "@tenantry/db/database";
import type { Logger } from "pino";

const BATCH = 20;

/**
 * Delivers webhook messages. Every server process runs one: claims use row locks with SKIP LOCKED
 * and leases, so processes share the work without sending one message twice at once. While a pass
 * finds a full batch the next starts at once; otherwise the worker waits `idleMs`.
 */
export function startWebhookWorker(options: {
  db: Database;
  keyring: Keyring;
  urlPolicy: WebhookUrlPolicy;
  logger: Logger;
  clock?: Clock;
  idleMs?: number;
}): { stop(): Promise<void> } {
  const delivery = {
    db: options.db,
    keyring: options.keyring,
    clock: options.clock ?? systemClock,
    urlPolicy: options.urlPolicy,
  };
  const idleMs = options.idleMs ?? 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    let claimed = 0;
    running = deliverDueMessages(delivery, BATCH)
      .then((count) => {
        claimed = count;
      })
      .catch((error: unknown) => options.logger.error({ err: error }, "webhook delivery pass failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, claimed === BATCH ? 0 : idleMs).unref();
      });
  };
  timer = setTimeout(tick, 0).unref();
  return {
    // Waits for the pass in flight, so every attempt it started is recorded before the database closes.
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
