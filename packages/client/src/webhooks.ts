import type { EventOf, EventType, TenantryEvent } from "@tenantry/contracts/events";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

export type { EventOf, EventType, TenantryEvent };
export { WebhookVerificationError };

/** Request headers as a Fetch `Headers`, or a plain record as Node and Express give them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

function header(headers: WebhookHeaders, name: string): string {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? "";
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(" ") : (value ?? "");
}

/**
 * Checks a webhook from Tenantry (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) against the endpoint's signing secret and answers its event, typed. Pass the
 * body exactly as received (the raw text, not re-serialised JSON). Throws `WebhookVerificationError`
 * when the signature does not match, a header is missing, or the timestamp is more than five minutes
 * off (a replay). During a secret rotation pass both secrets: either one verifies.
 *
 * The same event may arrive more than once (delivery is at least once): `event.id` (the
 * `webhook-id`) is the key to ignore a repeat.
 */
export function verifyWebhook(
  payload: string,
  headers: WebhookHeaders,
  secret: string | readonly string[],
): TenantryEvent {
  const signed = {
    "webhook-id": header(headers, "webhook-id"),
    "webhook-timestamp": header(headers, "webhook-timestamp"),
    "webhook-signature": header(headers, "webhook-signature"),
  };
  const secrets = typeof secret === "string" ? [secret] : secret;
  if (secrets.length === 0) throw new WebhookVerificationError("No signing secret given");
  let lastError: unknown;
  for (const candidate of secrets) {
    try {
      return new Webhook(candidate).verify(payload, signed) as TenantryEvent;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** Narrows an event to one type, with its payload typed: `if (isEvent(event, "tenant.created")) …`. */
export function isEvent<T extends EventType>(event: TenantryEvent, type: T): event is EventOf<T> {
  return event.type === type;
}
