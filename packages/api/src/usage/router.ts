import { usageContract } from "@tenantry/contracts/usage";
import { procedure, router, WORKSPACE } from "../trpc";
import { deleteMetric, listMetrics, putMetric } from "./metrics";
import { recordUsage } from "./record";
import { getMetricUsage, listRefusals, listTenantUsage, usageHistory } from "./summaries";
import { clearTenantLimit, setTenantLimit } from "./tenant-limits";

const tags = ["Usage"];

/** Positive whole units: decimals, zero, negatives, strings and anything beyond 2^53-1 are refused. */
export const usageRouter = router({
  record: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "usage:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/usage",
        status: 201,
        tags,
        summary: "Record usage; 429 usage_limit_exceeded when it would pass the tenant's 30-day limit",
      },
    })
    .input(usageContract.record.input)
    .output(usageContract.record.output)
    .mutation(({ ctx, input }) => recordUsage(ctx, input)),

  list: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "usage:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/usage",
        tags,
        summary: "A tenant's usage of every metric",
      },
    })
    .input(usageContract.list.input)
    .output(usageContract.list.output)
    .query(({ ctx, input }) => listTenantUsage(ctx, input)),

  get: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "usage:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/usage/{metric}",
        tags,
        summary: "A tenant's usage of one metric and where its limit comes from",
      },
    })
    .input(usageContract.get.input)
    .output(usageContract.get.output)
    .query(({ ctx, input }) => getMetricUsage(ctx, input)),

  history: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "usage:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/usage/{metric}/history",
        tags,
        summary: "Usage per hour or day (UTC) for charts; at most 90 days at a time",
      },
    })
    .input(usageContract.history.input)
    .output(usageContract.history.output)
    .query(({ ctx, input }) => usageHistory(ctx, input)),

  setLimit: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PUT",
        path: "/tenants/{tenantId}/usage-limits/{metric}",
        tags,
        summary: "Set a tenant's own limit for a metric (null = unlimited); takes effect on the next record",
      },
    })
    .input(usageContract.setLimit.input)
    .output(usageContract.setLimit.output)
    .mutation(({ ctx, input }) => setTenantLimit(ctx, input)),

  clearLimit: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "DELETE",
        path: "/tenants/{tenantId}/usage-limits/{metric}",
        tags,
        summary: "Remove a tenant's own limit so the plan or default limit applies",
      },
    })
    .input(usageContract.clearLimit.input)
    .output(usageContract.clearLimit.output)
    .mutation(({ ctx, input }) => clearTenantLimit(ctx, input)),

  listMetrics: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/usage-metrics", tags, summary: "Usage metrics" },
    })
    .input(usageContract.listMetrics.input)
    .output(usageContract.listMetrics.output)
    .query(({ ctx }) => listMetrics(ctx)),

  putMetric: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PUT",
        path: "/usage-metrics/{key}",
        tags,
        summary: "Define or change a metric: unit, default limit, limits per plan",
      },
    })
    .input(usageContract.putMetric.input)
    .output(usageContract.putMetric.output)
    .mutation(({ ctx, input }) => putMetric(ctx, input)),

  deleteMetric: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "DELETE", path: "/usage-metrics/{key}", status: 204, tags, summary: "Delete a metric" },
    })
    .input(usageContract.deleteMetric.input)
    .output(usageContract.deleteMetric.output)
    .mutation(({ ctx, input }) => deleteMetric(ctx, input)),

  refusals: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "GET",
        path: "/usage-refusals",
        tags,
        summary: "Refused records per tenant and metric on one UTC day (default today)",
      },
    })
    .input(usageContract.refusals.input)
    .output(usageContract.refusals.output)
    .query(({ ctx, input }) => listRefusals(ctx, input)),
});
