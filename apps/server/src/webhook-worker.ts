import {
  type Clock,
  deliverDueMessages,
  type Keyring,
  systemClock,
  type WebhookUrlPolicy,
} from "@tenantry/api/server-runtime";
import type { Database } from "@tenantry/db/database";
import type { Logger } from "pino";
import { type PeriodicTask, startPeriodic } from "./periodic";

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
}): PeriodicTask {
  const delivery = {
    db: options.db,
    keyring: options.keyring,
    clock: options.clock ?? systemClock,
    urlPolicy: options.urlPolicy,
  };
  const idleMs = options.idleMs ?? 1000;
  return startPeriodic({
    firstDelayMs: 0,
    retryMs: idleMs,
    // A full batch means more are due: the next pass starts at once.
    pass: async () => ((await deliverDueMessages(delivery, BATCH)) === BATCH ? 0 : idleMs),
    onError: (error) => options.logger.error({ err: error }, "webhook delivery pass failed"),
  });
}
