import type { Database, Executor } from "@tenantry/db/database";
import { rowsOf } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { events } from "@tenantry/db/schema/events";
import { webhookAttempts, webhookEndpoints, webhookMessages } from "@tenantry/db/schema/webhooks";
import { and, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { recordActivity } from "../activity/service";
import { toEvent } from "../events/service";
import type { Keyring } from "../secrets/keyring";
import type { Clock } from "../shared/clock";
import { type EndpointRow, signingSecrets, toEndpoint } from "./endpoints";
import { checkWebhookUrl, type WebhookUrlPolicy } from "./url-policy";

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;
/** A message is retried for this long after its event, then given up (`failed`; a manual retry revives it). */
export const RETRY_FOR_MS = 3 * DAY_MS;
/** An endpoint whose every delivery failed for this long is disabled, with a `webhook_endpoint.disabled` event. */
export const DISABLE_AFTER_FAILING_MS = 5 * DAY_MS;
export const DELIVERY_TIMEOUT_MS = 10 * SECOND_MS;
/** Longer than the timeout, so a lease never runs out while its holder is still waiting for an answer. */
export const LEASE_MS = 60 * SECOND_MS;
const EXCERPT_CHARS = 500;
const FIRST_RETRY_MS = 5 * SECOND_MS;
const LONGEST_RETRY_MS = 6 * 3_600_000;

export interface DeliveryOptions {
  db: Database;
  keyring: Keyring;
  /** Schedules retries, leases and disabling: tests move a test clock. */
  clock: Clock;
  urlPolicy: WebhookUrlPolicy;
  /**
   * The `webhook-timestamp` a receiver checks against its own clock (Standard Webhooks allows five
   * minutes of skew): the time of sending, so always a real clock.
   */
  wallClock?: Clock;
  fetch?: typeof fetch;
}

interface ClaimedMessage {
  workspaceId: string;
  endpointId: string;
  eventId: string;
  attempts: number;
  createdAt: Date;
  leaseToken: string;
}

/** Exponential from 5 s, capped at 6 h, with jitter (half to all of the step) so retries spread out. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const step = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(step * (0.5 + random() / 2));
}

/**
 * Leases up to `limit` due messages to the caller. Row locks with SKIP LOCKED mean concurrent
 * claimers take disjoint rows; the lease keeps the row theirs after the claim commits (the send
 * happens outside any transaction). A message waits while an earlier one of its endpoint and tenant
 * is pending, leased or not, so each tenant's events reach each endpoint in order.
 */
export async function claimDueMessages(db: Database, now: Date, limit: number): Promise<ClaimedMessage[]> {
  const leaseToken = globalThis.crypto.randomUUID();
  const at = now.toISOString();
  const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
  const result = await db.execute(sql`
    with due as (
      select m.workspace_id, m.endpoint_id, m.event_id
      from webhook_messages m
      join webhook_endpoints e on e.workspace_id = m.workspace_id and e.id = m.endpoint_id
      where m.status = 'pending' and m.next_attempt_at <= ${at}
        and (m.lease_until is null or m.lease_until <= ${at})
        and e.status = 'enabled'
        and not exists (
          select 1 from webhook_messages earlier
          where earlier.workspace_id = m.workspace_id and earlier.endpoint_id = m.endpoint_id
            and earlier.tenant_key = m.tenant_key and earlier.status = 'pending'
            and earlier.event_id < m.event_id)
      order by m.next_attempt_at, m.event_id
      limit ${limit}
      for update of m skip locked
    )
    update webhook_messages m set lease_token = ${leaseToken}, lease_until = ${leaseUntil}
    from due
    where m.workspace_id = due.workspace_id and m.endpoint_id = due.endpoint_id and m.event_id = due.event_id
    returning m.workspace_id, m.endpoint_id, m.event_id, m.attempts, m.created_at`);
  return rowsOf<{
    workspace_id: string;
    endpoint_id: string;
    event_id: string;
    attempts: number;
    created_at: string | Date;
  }>(result).map((row) => ({
    workspaceId: row.workspace_id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    attempts: Number(row.attempts),
    createdAt: new Date(row.created_at),
    leaseToken,
  }));
}

export interface AttemptOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string | null;
}

async function readExcerpt(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const decoder = new TextDecoder();
  let text = "";
  while (text.length < EXCERPT_CHARS) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return text.slice(0, EXCERPT_CHARS);
}

/**
 * One signed POST: the address is judged again first (DNS can change since the endpoint was saved),
 * redirects are not followed (a 3xx is a failure), and after 10 s the attempt is abandoned.
 */
export async function sendSigned(
  options: Pick<DeliveryOptions, "urlPolicy" | "wallClock" | "fetch">,
  target: { url: string; secrets: string[]; messageId: string; payload: string },
): Promise<AttemptOutcome> {
  const started = Date.now();
  const outcome = (fields: Omit<AttemptOutcome, "latencyMs">) => ({
    ...fields,
    latencyMs: Date.now() - started,
  });
  let url: URL;
  try {
    url = await checkWebhookUrl(target.url, options.urlPolicy);
  } catch (error) {
    return outcome({ ok: false, status: null, error: (error as Error).message, responseExcerpt: null });
  }
  const timestamp = (options.wallClock ?? { now: () => new Date() }).now();
  // Every current secret signs (after a rotation, the old one too): the receiver accepts any match.
  const signature = target.secrets
    .map((secret) => new Webhook(secret).sign(target.messageId, timestamp, target.payload))
    .join(" ");
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      headers: {
        "content-type": "application/json",
        "user-agent": "Tenantry-Webhooks/1",
        "webhook-id": target.messageId,
        "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
        "webhook-signature": signature,
      },
      body: target.payload,
    });
    const responseExcerpt = await readExcerpt(response).catch(() => null);
    const ok = response.status >= 200 && response.status < 300;
    return outcome({
      ok,
      status: response.status,
      error: ok
        ? null
        : response.status >= 300 && response.status < 400
          ? "redirects are not followed"
          : null,
      responseExcerpt,
    });
  } catch (error) {
    const name = (error as Error).name;
    const message = name === "TimeoutError" ? "no answer within 10 s" : (error as Error).message;
    return outcome({ ok: false, status: null, error: message, responseExcerpt: null });
  }
}

async function loadForDelivery(db: Executor, message: ClaimedMessage) {
  const [row] = await db
    .select({ endpoint: webhookEndpoints, event: events })
    .from(webhookEndpoints)
    .innerJoin(
      events,
      and(eq(events.workspaceId, webhookEndpoints.workspaceId), eq(events.id, message.eventId)),
    )
    .where(
      and(eq(webhookEndpoints.workspaceId, message.workspaceId), eq(webhookEndpoints.id, message.endpointId)),
    );
  return row;
}

/** Sends one claimed message and records the attempt, the message's next state and the endpoint's health. */
export async function deliverClaimed(
  options: DeliveryOptions,
  message: ClaimedMessage,
): Promise<AttemptOutcome> {
  const loaded = await loadForDelivery(options.db, message);
  if (!loaded) {
    return { ok: false, status: null, error: "endpoint or event gone", latencyMs: 0, responseExcerpt: null };
  }
  const outcome = await sendSigned(options, {
    url: loaded.endpoint.url,
    secrets: await signingSecrets(options.keyring, loaded.endpoint, options.clock.now()),
    messageId: message.eventId,
    payload: JSON.stringify(toEvent(loaded.event)),
  });
  await recordOutcome(options, message, outcome);
  return outcome;
}

async function recordOutcome(options: DeliveryOptions, message: ClaimedMessage, outcome: AttemptOutcome) {
  const now = options.clock.now();
  await options.db.transaction(async (tx) => {
    // The endpoint row first: the attempt's foreign key would otherwise take a share lock on it that
    // two concurrent outcomes of one endpoint each hold while waiting for the other's (a deadlock).
    // NO KEY UPDATE leaves new messages (key share) unblocked.
    const [endpoint] = await tx
      .select()
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.workspaceId, message.workspaceId),
          eq(webhookEndpoints.id, message.endpointId),
        ),
      )
      .for("no key update");
    if (!endpoint) return;
    await tx.insert(webhookAttempts).values({
      workspaceId: message.workspaceId,
      id: newId("whatt"),
      endpointId: message.endpointId,
      eventId: message.eventId,
      attemptedAt: now,
      status: outcome.status,
      error: outcome.error,
      latencyMs: outcome.latencyMs,
      responseExcerpt: outcome.responseExcerpt,
    });
    const attempts = message.attempts + 1;
    const givenUp = !outcome.ok && now.getTime() - message.createdAt.getTime() >= RETRY_FOR_MS;
    await tx
      .update(webhookMessages)
      .set({
        attempts,
        leaseToken: null,
        leaseUntil: null,
        ...(outcome.ok
          ? { status: "delivered" as const, deliveredAt: now }
          : givenUp
            ? { status: "failed" as const }
            : { nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)) }),
      })
      .where(
        and(
          eq(webhookMessages.workspaceId, message.workspaceId),
          eq(webhookMessages.endpointId, message.endpointId),
          eq(webhookMessages.eventId, message.eventId),
          // A lease that ran out and was taken by another worker is theirs to settle.
          eq(webhookMessages.leaseToken, message.leaseToken),
        ),
      );
    await recordEndpointHealth(tx, endpoint, outcome.ok, now);
  });
}

async function recordEndpointHealth(tx: Executor, endpoint: EndpointRow, ok: boolean, now: Date) {
  const where = and(
    eq(webhookEndpoints.workspaceId, endpoint.workspaceId),
    eq(webhookEndpoints.id, endpoint.id),
  );
  if (ok) {
    if (endpoint.failingSince) await tx.update(webhookEndpoints).set({ failingSince: null }).where(where);
    return;
  }
  if (!endpoint.failingSince) {
    await tx.update(webhookEndpoints).set({ failingSince: now }).where(where);
    return;
  }
  if (
    endpoint.status !== "enabled" ||
    now.getTime() - endpoint.failingSince.getTime() < DISABLE_AFTER_FAILING_MS
  ) {
    return;
  }
  await disableFailingEndpoint(tx, endpoint, now);
}

async function disableFailingEndpoint(tx: Executor, endpoint: EndpointRow, now: Date) {
  const [saved] = await tx
    .update(webhookEndpoints)
    .set({ status: "disabled", disabledReason: "failing", updatedAt: now })
    .where(and(eq(webhookEndpoints.workspaceId, endpoint.workspaceId), eq(webhookEndpoints.id, endpoint.id)))
    .returning();
  const { updatedAt: _before, ...before } = toEndpoint(endpoint);
  const { updatedAt: _after, ...after } = toEndpoint(saved!);
  await recordActivity(
    tx,
    {
      actor: { type: "system", workspaceId: endpoint.workspaceId, systemId: "webhook_delivery" },
      requestId: `webhook-delivery:${endpoint.id}`,
      clock: { now: () => now },
    },
    {
      tenantId: null,
      action: "webhook_endpoint.disabled",
      targetType: "webhook_endpoint",
      targetId: endpoint.id,
      before,
      after,
    },
  );
}

/**
 * One pass: claim what is due and send it, all at once (the claim holds at most one message per
 * endpoint and tenant). Answers how many were claimed, so a worker can go on at once while there is more.
 */
export async function deliverDueMessages(options: DeliveryOptions, limit = 20): Promise<number> {
  const claimed = await claimDueMessages(options.db, options.clock.now(), limit);
  await Promise.all(claimed.map((message) => deliverClaimed(options, message)));
  return claimed.length;
}
