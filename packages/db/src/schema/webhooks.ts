import { foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { events } from "./events";
import { workspaces } from "./workspaces";

export const WEBHOOK_ENDPOINT_STATUSES = ["enabled", "disabled"] as const;

/** Where a workspace's events are delivered, signed with the endpoint's secret (Standard Webhooks). */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    url: text().notNull(),
    description: text(),
    /** The event types delivered here; null = every type. */
    types: jsonb().$type<string[]>(),
    status: text({ enum: WEBHOOK_ENDPOINT_STATUSES }).notNull().default("enabled"),
    /** Why it is disabled: `manual`, or `failing` when deliveries failed for 5 days straight. */
    disabledReason: text(),
    /** `whsec_…`, sealed with the workspace keyring to this row. */
    secretSealed: text().notNull(),
    /** After a rotation the old secret keeps signing, alongside the new one, until it expires. */
    previousSecretSealed: text(),
    previousSecretExpiresAt: timestamp({ withTimezone: true }),
    /** Since when every delivery failed (null after a success); 5 days of it disable the endpoint. */
    failingSince: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);

export const WEBHOOK_MESSAGE_STATUSES = ["pending", "delivered", "failed"] as const;

/**
 * The delivery outbox: one row per event and endpoint, inserted in the event's transaction. A worker
 * claims due rows with `FOR UPDATE SKIP LOCKED` and a lease, so no two processes send one at once;
 * a row is not claimed while an earlier one of its endpoint and tenant is pending (order per tenant).
 */
export const webhookMessages = pgTable(
  "webhook_messages",
  {
    workspaceId: text().notNull(),
    endpointId: text().notNull(),
    eventId: text().notNull(),
    /** The event's tenant, or "" for workspace events: the unit of ordering. */
    tenantKey: text().notNull(),
    status: text({ enum: WEBHOOK_MESSAGE_STATUSES }).notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull(),
    /** Who holds the message while sending it, and until when (a dead process's lease runs out). */
    leaseToken: text(),
    leaseUntil: timestamp({ withTimezone: true }),
    deliveredAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.endpointId, t.eventId] }),
    index().on(t.status, t.nextAttemptAt),
    index().on(t.workspaceId, t.endpointId, t.tenantKey, t.eventId),
    foreignKey({
      columns: [t.workspaceId, t.endpointId],
      foreignColumns: [webhookEndpoints.workspaceId, webhookEndpoints.id],
    }).onDelete("cascade"),
    foreignKey({
      columns: [t.workspaceId, t.eventId],
      foreignColumns: [events.workspaceId, events.id],
    }).onDelete("cascade"),
  ],
);

/** Every delivery attempt: what the receiver answered, how fast, and the start of its body. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    endpointId: text().notNull(),
    eventId: text().notNull(),
    attemptedAt: timestamp({ withTimezone: true }).notNull(),
    /** The HTTP status; null when no answer came (refused address, timeout, connection error). */
    status: integer(),
    error: text(),
    latencyMs: integer().notNull(),
    responseExcerpt: text(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.endpointId, t.id),
    foreignKey({
      columns: [t.workspaceId, t.endpointId],
      foreignColumns: [webhookEndpoints.workspaceId, webhookEndpoints.id],
    }).onDelete("cascade"),
  ],
);
