import {
  bigint,
  date,
  foreignKey,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { tenants } from "./tenants";
import { workspaces } from "./workspaces";

/** Metrics a workspace defines besides the built-in `ai_credits`. */
export const usageMetrics = pgTable(
  "usage_metrics",
  {
    workspaceId: text().notNull(),
    key: text().notNull(),
    unit: text().notNull().default("units"),
    defaultLimit: bigint({ mode: "number" }),
    /** planKey → limit (null = unlimited). */
    planLimits: jsonb().$type<Record<string, number | null>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.key] }),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);

/** A tenant's own limit for a metric; `limit` null = unlimited. */
export const usageLimitOverrides = pgTable(
  "usage_limit_overrides",
  {
    workspaceId: text().notNull(),
    tenantId: text().notNull(),
    metric: text().notNull(),
    limit: bigint({ mode: "number" }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.tenantId, t.metric] }),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
  ],
);

/** Usage per hour; the rolling window is the sum of the buckets whose hour is within the last 30 days. */
export const usageBuckets = pgTable(
  "usage_buckets",
  {
    workspaceId: text().notNull(),
    tenantId: text().notNull(),
    metric: text().notNull(),
    hour: timestamp({ withTimezone: true }).notNull(),
    amount: bigint({ mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.tenantId, t.metric, t.hour] }),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
  ],
);

/**
 * One row per (tenant, metric): the lock every record takes, and the running total of the buckets with
 * hour >= windowStart, so a record or a read never sums the whole window.
 */
export const usageCounters = pgTable(
  "usage_counters",
  {
    workspaceId: text().notNull(),
    tenantId: text().notNull(),
    metric: text().notNull(),
    total: bigint({ mode: "number" }).notNull().default(0),
    windowStart: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.tenantId, t.metric] }),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
  ],
);

/** Refused records per tenant, metric and UTC day, so operators see who hits their limit. */
export const usageRefusals = pgTable(
  "usage_refusals",
  {
    workspaceId: text().notNull(),
    tenantId: text().notNull(),
    metric: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    count: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.tenantId, t.metric, t.day] }),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
  ],
);

/** The first answer to a record with an idempotency key; expires after 24 hours. */
export const usageIdempotencyKeys = pgTable(
  "usage_idempotency_keys",
  {
    workspaceId: text().notNull(),
    tenantId: text().notNull(),
    key: text().notNull(),
    requestHash: text().notNull(),
    response: jsonb().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.tenantId, t.key] }),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
  ],
);
