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

export const recordUsageInput = z.strictObject({
  tenantId: tenantIdSchema,
  metric: metricKey,
  amount,
  idempotencyKey: z.string().min(1).max(200).optional(),
});

export const tenantUsageInput = z.strictObject({ tenantId: tenantIdSchema });

export const usageHistoryInput = z
  .strictObject({
    tenantId: tenantIdSchema,
    metric: metricKey,
    granularity: z.enum(["hour", "day"]).default("day"),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  // A bound left out is filled in by the service from its clock, which the contract cannot see:
  // both left out, the current usage window; the range is checked there too.
  .transform((input, ctx) => {
    const to = input.to ? new Date(input.to) : undefined;
    const from = input.from ? new Date(input.from) : undefined;
    if (from && to && !isHistoryRange(from, to)) ctx.addIssue({ code: "custom", message: HISTORY_RANGE });
    return { ...input, from, to };
  });

export const HISTORY_RANGE = "from must be before to, at most 90 days apart";
export const HISTORY_DEFAULT_DAYS = 30;
export function isHistoryRange(from: Date, to: Date): boolean {
  return from < to && to.getTime() - from.getTime() <= 90 * 86_400_000;
}

export const usageHistoryOutput = z.object({
  items: z.array(z.object({ start: z.string(), amount: z.number() })),
});

export const setTenantLimitInput = z.strictObject({ tenantId: tenantIdSchema, metric: metricKey, limit });

export const putMetricInput = z.strictObject(metricSchema.shape);

export const metricRefInput = z.strictObject({ key: metricKey });

export const refusalsInput = z.strictObject({ day: z.iso.date().optional() }).optional();

export const refusalsOutput = z.object({
  items: z.array(z.object({ tenantId: z.string(), metric: z.string(), day: z.string(), count: z.number() })),
});

export type UsageSummary = z.infer<typeof summary>;
export type RecordResult = z.infer<typeof recordResult>;
export type UsageMetric = z.infer<typeof metricSchema>;
export type TenantMetricInput = z.infer<typeof tenantMetric>;
export type RecordUsageInput = z.infer<typeof recordUsageInput>;
export type TenantUsageInput = z.infer<typeof tenantUsageInput>;
/** After parsing: `from` and `to` are dates, defaulted to the 30 days before now. */
export type UsageHistoryInput = z.infer<typeof usageHistoryInput>;
export type UsageHistory = z.infer<typeof usageHistoryOutput>;
export type SetTenantLimitInput = z.infer<typeof setTenantLimitInput>;
export type PutMetricInput = z.infer<typeof putMetricInput>;
export type MetricRefInput = z.infer<typeof metricRefInput>;
export type RefusalsInput = z.infer<typeof refusalsInput>;
export type Refusals = z.infer<typeof refusalsOutput>;

export const usageContract = {
  record: mutation({ input: recordUsageInput, output: recordResult }),
  list: query({ input: tenantUsageInput, output: z.object({ items: z.array(summary) }) }),
  get: query({ input: tenantMetric, output: summary }),
  history: query({ input: usageHistoryInput, output: usageHistoryOutput }),
  setLimit: mutation({ input: setTenantLimitInput, output: summary }),
  clearLimit: mutation({ input: tenantMetric, output: summary }),
  listMetrics: query({
    input: z.strictObject({}).optional(),
    output: z.object({ items: z.array(metricSchema) }),
  }),
  putMetric: mutation({ input: putMetricInput, output: metricSchema }),
  deleteMetric: mutation({ input: metricRefInput, output: z.void() }),
  refusals: query({ input: refusalsInput, output: refusalsOutput }),
};
