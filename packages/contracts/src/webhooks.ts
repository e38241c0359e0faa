import { z } from "zod";
import { EVENT_TYPES, eventIdSchema } from "./events.js";
import { idPattern } from "./ids.js";
import { pageInput, pageOutput } from "./page.js";
import { mutation, query } from "./procedures.js";

/** Longest endpoint URL Tenantry accepts (longer answers 400 `invalid_webhook_url`). */
export const WEBHOOK_URL_MAX_LENGTH = 2048;

export const webhookEndpointIdSchema = z
  .string()
  .regex(idPattern("whep"), "must be `whep_` followed by a UUIDv7")
  .describe("Webhook endpoint id: `whep_{uuidv7}`.");

/** Judged by the server's URL policy (https, public address, no credentials): 400 `invalid_webhook_url`. */
const endpointUrl = z.string().trim().min(1).max(8192).describe("https URL the events are posted to.");
const endpointTypes = z
  .array(z.enum(EVENT_TYPES))
  .min(1)
  .max(EVENT_TYPES.length)
  .describe("Only these event types; every type when left out or null.");
const description = z.string().trim().max(500);

export const createWebhookEndpointInput = z.strictObject({
  url: endpointUrl,
  types: endpointTypes.optional(),
  description: description.optional(),
});
export type CreateWebhookEndpointInput = z.infer<typeof createWebhookEndpointInput>;

export const updateWebhookEndpointInput = z.strictObject({
  id: webhookEndpointIdSchema,
  url: endpointUrl.optional(),
  types: endpointTypes.nullable().optional(),
  description: description.nullable().optional(),
});
export type UpdateWebhookEndpointInput = z.infer<typeof updateWebhookEndpointInput>;

export const webhookEndpointRefInput = z.strictObject({ id: webhookEndpointIdSchema });

export const webhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  types: z.array(z.enum(EVENT_TYPES)).nullable(),
  status: z.enum(["enabled", "disabled"]),
  /** `manual`, or `failing` when deliveries failed for 5 days straight. */
  disabledReason: z.string().nullable(),
  /** Until then the previous secret also signs every message (after a rotation). */
  previousSecretExpiresAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

/** The signing secret (`whsec_…`, Standard Webhooks) is shown here once, never again. */
export const webhookEndpointWithSecretSchema = z.object({
  endpoint: webhookEndpointSchema,
  secret: z.string(),
});

/** One delivery attempt as recorded. */
export const webhookAttemptSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  attemptedAt: z.string(),
  /** The receiver's HTTP status; null when none came (refused address, timeout, connection error). */
  status: z.number().nullable(),
  error: z.string().nullable(),
  latencyMs: z.number(),
  /** The first 500 characters of the receiver's answer. */
  responseExcerpt: z.string().nullable(),
});
export type WebhookAttempt = z.infer<typeof webhookAttemptSchema>;

export const webhookMessageSchema = z.object({
  endpointId: z.string(),
  eventId: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number(),
  nextAttemptAt: z.string(),
  deliveredAt: z.string().nullable(),
});

export const webhookTestResultSchema = z.object({
  ok: z.boolean(),
  status: z.number().nullable(),
  error: z.string().nullable(),
  latencyMs: z.number(),
  responseExcerpt: z.string().nullable(),
});

export const webhookEndpointsContract = {
  create: mutation({ input: createWebhookEndpointInput, output: webhookEndpointWithSecretSchema }),
  list: query({
    input: z.strictObject({}).optional(),
    output: z.object({ items: z.array(webhookEndpointSchema) }),
  }),
  get: query({ input: webhookEndpointRefInput, output: webhookEndpointSchema }),
  update: mutation({ input: updateWebhookEndpointInput, output: webhookEndpointSchema }),
  disable: mutation({ input: webhookEndpointRefInput, output: webhookEndpointSchema }),
  enable: mutation({ input: webhookEndpointRefInput, output: webhookEndpointSchema }),
  delete: mutation({ input: webhookEndpointRefInput, output: z.void() }),
  rotateSecret: mutation({ input: webhookEndpointRefInput, output: webhookEndpointWithSecretSchema }),
  attempts: query({
    input: z.strictObject({
      id: webhookEndpointIdSchema,
      eventId: eventIdSchema.optional().describe("Only the attempts of this event's message."),
      ...pageInput,
    }),
    output: pageOutput(webhookAttemptSchema),
  }),
  retryMessage: mutation({
    input: z.strictObject({ id: webhookEndpointIdSchema, eventId: eventIdSchema }),
    output: webhookMessageSchema,
  }),
  test: mutation({ input: webhookEndpointRefInput, output: webhookTestResultSchema }),
};
