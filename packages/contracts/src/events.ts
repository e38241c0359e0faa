import { z } from "zod";
import { EVENT_TYPES, type EventType } from "./event-types.js";
import { idPattern } from "./ids.js";
import { query } from "./procedures.js";
import { tenantIdSchema } from "./tenants.js";

export { EVENT_TYPES, type EventType };

export const eventIdSchema = z
  .string()
  .regex(idPattern("evt"), "must be `evt_` followed by a UUIDv7")
  .describe("Event id: `evt_{uuidv7}`.");

/** What changed, redacted like the activity log: only the changed keys, secrets as `[redacted]`. */
export const eventDataSchema = z.object({
  /** The activity action behind the event, e.g. `membership.type_changed` for `membership.updated`. */
  action: z.string(),
  object: z.object({ type: z.string(), id: z.string() }),
  before: z.record(z.string(), z.unknown()).optional(),
  after: z.record(z.string(), z.unknown()).optional(),
});
export type EventData = z.infer<typeof eventDataSchema>;

export const eventSchema = z.object({
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  createdAt: z.string(),
  /** Null for workspace events (`field_schema.updated`, `webhook_endpoint.disabled`). */
  tenantId: z.string().nullable(),
  actor: z.object({ type: z.string(), id: z.string() }),
  data: eventDataSchema,
});
export type TenantryEvent = z.infer<typeof eventSchema>;
/** One event type's payload, e.g. `EventOf<"tenant.created">`. */
export type EventOf<T extends EventType> = TenantryEvent & { type: T };

const eventTypeList = z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length);

export const listEventsInput = z.strictObject({
  after: eventIdSchema.optional().describe("Only events after this one: the last id of the previous page."),
  types: z
    .union([
      eventTypeList,
      // Over REST a query string: `types=tenant.created,tenant.updated`.
      z
        .string()
        .max(2000)
        .transform((text) => text.split(","))
        .pipe(eventTypeList),
    ])
    .optional()
    .describe("Only these event types (comma-separated over REST)."),
  tenantId: tenantIdSchema.optional(),
  limit: z.number().int().min(1).max(100).default(50).describe("Page size, 1 to 100."),
});
export type ListEventsInput = z.infer<typeof listEventsInput>;

export const eventsContract = {
  list: query({
    input: listEventsInput,
    output: z.object({
      items: z.array(eventSchema),
      /** More events follow the last one now; pass its id as `after`. */
      hasMore: z.boolean(),
    }),
  }),
};
