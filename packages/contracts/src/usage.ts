import { z } from "zod";
import { mutation, query } from "./procedures.js";
import { tenantIdSchema } from "./tenants.js";

export const metricKey = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,62}$/,
    "a metric key is lower-case letters, digits and _, starting with a letter",
  );

export const amount = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const limit = z
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .nullable()
  .describe("null = unlimited");

export const summary = z.object({
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

export const recordResult = z.object({
  metric: z.string(),
  amount: z.number(),
  used: z.number(),
  limit: z.number().nullable(),
  remaining: z.number().nullable(),
  windowStart: z.string(),
  windowEnd: z.string(),
});

export const metricSchema = z.object({
  key: metricKey,
  unit: z.string().min(1).max(40).default("units"),
  defaultLimit: limit.default(null),
  planLimits: z.record(z.string().min(1).max(100), limit).default({}),
});

export const tenantMetric = z.strictObject({ tenantId: tenantIdSchema, metric: metricKey });

export const usageContract = {
  record: mutation({
    input: z.strictObject({
      tenantId: tenantIdSchema,
      metric: metricKey,
      amount,
      idempotencyKey: z.string().min(1).max(200).optional(),
    }),
    output: recordResult,
  }),
  list: query({
    input: z.strictObject({ tenantId: tenantIdSchema }),
    output: z.object({ items: z.array(summary) }),
  }),
  get: query({ input: tenantMetric, output: summary }),
  history: query({
    input: z
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
    output: z.object({ items: z.array(z.object({ start: z.string(), amount: z.number() })) }),
  }),
  setLimit: mutation({
    input: z.strictObject({ tenantId: tenantIdSchema, metric: metricKey, limit }),
    output: summary,
  }),
  clearLimit: mutation({ input: tenantMetric, output: summary }),
  listMetrics: query({
    input: z.strictObject({}).optional(),
    output: z.object({ items: z.array(metricSchema) }),
  }),
  putMetric: mutation({ input: z.strictObject(metricSchema.shape), output: metricSchema }),
  deleteMetric: mutation({ input: z.strictObject({ key: metricKey }), output: z.void() }),
  refusals: query({
    input: z.strictObject({ day: z.iso.date().optional() }).optional(),
    output: z.object({
      items: z.array(
        z.object({ tenantId: z.string(), metric: z.string(), day: z.string(), count: z.number() }),
      ),
    }),
  }),
};
