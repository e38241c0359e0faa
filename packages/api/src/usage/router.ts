import { z } from "zod";
import { assertTenantAccess, requirePermission } from "../auth/access";
import { tenantIdSchema } from "../tenants/schemas";
import { apiKeyProcedure, router, tenantProcedure } from "../trpc";
import {
  clearTenantLimit,
  deleteMetric,
  getMetricUsage,
  listMetrics,
  listRefusals,
  listTenantUsage,
  putMetric,
  recordUsage,
  setTenantLimit,
  usageHistory,
} from "./service";

const tags = ["Usage"];

const metricKey = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,62}$/,
    "a metric key is lower-case letters, digits and _, starting with a letter",
  );
/** Positive whole units: decimals, zero, negatives, strings and anything beyond 2^53-1 are refused. */
const amount = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const limit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().describe("null = unlimited");

const summary = z.object({
  metric: z.string(),
  unit: z.string(),
  used: z.number(),
  limit: z.number().nullable(),
  limitSource: z.enum(["tenant", "plan", "default", "none"]),
  remaining: z.number().nullable(),
  windowStart: z.string(),
  windowEnd: z.string(),
  refusedToday: z.number(),
});

const recordResult = z.object({
  metric: z.string(),
  amount: z.number(),
  used: z.number(),
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
  windowStart: z.string(),
  windowEnd: z.string(),
});

const metricSchema = z.object({
  key: metricKey,
  unit: z.string().min(1).max(40).default("units"),
  defaultLimit: limit.default(null),
  planLimits: z.record(z.string().min(1).max(100), limit).default({}),
});

const tenantMetric = z.strictObject({ tenantId: tenantIdSchema, metric: metricKey });

export const usageRouter = router({
  record: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/usage",
        status: 201,
        tags,
        summary: "Record usage; 429 usage_limit_exceeded when it would pass the tenant's 30-day limit",
      },
    })
    .input(
      z.strictObject({
        tenantId: tenantIdSchema,
        metric: metricKey,
        amount,
        idempotencyKey: z.string().min(1).max(200).optional(),
      }),
    )
    .output(recordResult)
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "usage:write");
      return recordUsage(ctx, input);
    }),

  list: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/usage",
        tags,
        summary: "A tenant's usage of every metric",
      },
    })
    .input(z.strictObject({ tenantId: tenantIdSchema }))
    .output(z.object({ items: z.array(summary) }))
    .query(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "usage:read");
      return listTenantUsage(ctx, input.tenantId);
    }),

  get: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/usage/{metric}",
        tags,
        summary: "A tenant's usage of one metric and where its limit comes from",
      },
    })
    .input(tenantMetric)
    .output(summary)
    .query(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "usage:read");
      return getMetricUsage(ctx, input.tenantId, input.metric);
    }),

  history: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/usage/{metric}/history",
        tags,
        summary: "Usage per hour or day (UTC) for charts; at most 90 days at a time",
      },
    })
    .input(
      z
        .strictObject({
          tenantId: tenantIdSchema,
          metric: metricKey,
          granularity: z.enum(["hour", "day"]).default("day"),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
        })
        .transform((input, ctx) => {
          const to = input.to ? new Date(input.to) : new Date();
          const from = input.from ? new Date(input.from) : new Date(to.getTime() - 30 * 86_400_000);
          if (from >= to || to.getTime() - from.getTime() > 90 * 86_400_000) {
            ctx.addIssue({ code: "custom", message: "from must be before to, at most 90 days apart" });
          }
          return { ...input, from, to };
        }),
    )
    .output(z.object({ items: z.array(z.object({ start: z.string(), amount: z.number() })) }))
    .query(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "usage:read");
      return usageHistory(ctx, input);
    }),

  setLimit: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "PUT",
        path: "/tenants/{tenantId}/usage-limits/{metric}",
        tags,
        summary: "Set a tenant's own limit for a metric (null = unlimited); takes effect on the next record",
      },
    })
    .input(z.strictObject({ tenantId: tenantIdSchema, metric: metricKey, limit }))
    .output(summary)
    .mutation(({ ctx, input }) => setTenantLimit(ctx, input)),

  clearLimit: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "DELETE",
        path: "/tenants/{tenantId}/usage-limits/{metric}",
        tags,
        summary: "Remove a tenant's own limit so the plan or default limit applies",
      },
    })
    .input(tenantMetric)
    .output(summary)
    .mutation(({ ctx, input }) => clearTenantLimit(ctx, input)),

  listMetrics: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/usage-metrics", tags, summary: "Usage metrics" },
    })
    .input(z.strictObject({}).optional())
    .output(z.object({ items: z.array(metricSchema) }))
    .query(({ ctx }) => listMetrics(ctx)),

  putMetric: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "PUT",
        path: "/usage-metrics/{key}",
        tags,
        summary: "Define or change a metric: unit, default limit, limits per plan",
      },
    })
    .input(z.strictObject(metricSchema.shape))
    .output(metricSchema)
    .mutation(({ ctx, input }) => putMetric(ctx, input)),

  deleteMetric: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "DELETE", path: "/usage-metrics/{key}", status: 204, tags, summary: "Delete a metric" },
    })
    .input(z.strictObject({ key: metricKey }))
    .output(z.void())
    .mutation(({ ctx, input }) => deleteMetric(ctx, input.key)),

  refusals: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "GET",
        path: "/usage-refusals",
        tags,
        summary: "Refused records per tenant and metric on one UTC day (default today)",
      },
    })
    .input(z.strictObject({ day: z.iso.date().optional() }).optional())
    .output(
      z.object({
        items: z.array(
          z.object({ tenantId: z.string(), metric: z.string(), day: z.string(), count: z.number() }),
        ),
      }),
    )
    .query(({ ctx, input }) => listRefusals(ctx, input?.day ?? new Date().toISOString().slice(0, 10))),
});
