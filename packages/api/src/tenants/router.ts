import { z } from "zod";
import { apiKeyProcedure, router } from "../trpc";
import {
  createTenantInput,
  listTenantsInput,
  patchTenantInput,
  putTenantInput,
  statusChangeInput,
  tenantPageSchema,
  tenantRefInput,
  tenantSchema,
} from "./schemas";
import {
  createTenant,
  deleteTenant,
  getTenant,
  listTenants,
  patchTenant,
  putTenant,
  readTenantCredentials,
  readTenantSecretFields,
  setTenantStatus,
} from "./service";

const tags = ["Tenants"];

export const tenantsRouter = router({
  create: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "POST", path: "/tenants", status: 201, tags, summary: "Create a tenant" },
    })
    .input(createTenantInput)
    .output(tenantSchema)
    .mutation(async ({ ctx, input }) => (await createTenant(ctx, input)).tenant),

  get: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/tenants/{id}", tags, summary: "Get a tenant" },
    })
    .input(tenantRefInput)
    .output(tenantSchema)
    .query(({ ctx, input }) => getTenant(ctx.db, ctx.actor.workspaceId, input.id)),

  list: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/tenants", tags, summary: "List tenants, newest first" },
    })
    .input(listTenantsInput)
    .output(tenantPageSchema)
    .query(({ ctx, input }) => listTenants(ctx.db, ctx.actor.workspaceId, input)),

  patch: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "PATCH", path: "/tenants/{id}", tags, summary: "Change some of a tenant's fields" },
    })
    .input(patchTenantInput)
    .output(tenantSchema)
    .mutation(({ ctx, input }) => patchTenant(ctx, input)),

  put: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "PUT",
        path: "/tenants/{id}",
        tags,
        summary: "Replace a tenant's profile (omitted fields return to their defaults)",
      },
    })
    .input(putTenantInput)
    .output(tenantSchema)
    .mutation(({ ctx, input }) => putTenant(ctx, input)),

  delete: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "DELETE", path: "/tenants/{id}", status: 204, tags, summary: "Delete a tenant" },
    })
    .input(statusChangeInput)
    .output(z.object({ id: z.string(), deleted: z.literal(true) }))
    .mutation(({ ctx, input }) => deleteTenant(ctx, input)),

  suspend: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "POST", path: "/tenants/{id}/suspend", tags, summary: "Suspend a tenant" },
    })
    .input(statusChangeInput)
    .output(tenantSchema)
    .mutation(({ ctx, input }) => setTenantStatus(ctx, input, "suspended")),

  archive: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "POST", path: "/tenants/{id}/archive", tags, summary: "Archive a tenant" },
    })
    .input(statusChangeInput)
    .output(tenantSchema)
    .mutation(({ ctx, input }) => setTenantStatus(ctx, input, "archived")),

  activate: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/tenants/{id}/activate",
        tags,
        summary: "Make a suspended or archived tenant active again",
      },
    })
    .input(statusChangeInput)
    .output(tenantSchema)
    .mutation(({ ctx, input }) => setTenantStatus(ctx, input, "active")),

  credentials: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "GET",
        path: "/tenants/{id}/credentials",
        tags,
        summary: "The tenant's write-only credentials, opened for the host's backend",
      },
    })
    .input(tenantRefInput)
    .output(
      z.object({
        credentials: z.record(z.string(), z.unknown()).nullable(),
        updatedAt: z.string().nullable(),
      }),
    )
    .query(({ ctx, input }) => readTenantCredentials(ctx, input.id)),

  secretFields: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "GET",
        path: "/tenants/{id}/secret-fields",
        tags,
        summary: "The values of the tenant's secret fields, opened for the host's backend",
      },
    })
    .input(tenantRefInput)
    .output(z.object({ values: z.record(z.string(), z.unknown()) }))
    .query(async ({ ctx, input }) => ({ values: await readTenantSecretFields(ctx, input.id) })),
});
