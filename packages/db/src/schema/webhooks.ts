import { foreignKey, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
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
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);
