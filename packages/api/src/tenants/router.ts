import { tenantsContract } from "@tenantry/contracts/tenants";
import { procedure, router, WORKSPACE } from "../trpc";
import { createTenant } from "./create";
import { readTenantCredentials, readTenantSecretFields } from "./credentials";
import { activateTenant, archiveTenant, deleteTenant, suspendTenant } from "./lifecycle";
import { patchTenant, putTenant } from "./profile";
import { getTenant, listTenants } from "./reads";

const tags = ["Tenants"];

export const tenantsRouter = router({
  create: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "POST", path: "/tenants", status: 201, tags, summary: "Create a tenant" },
    })
    .input(tenantsContract.create.input)
    .output(tenantsContract.create.output)
    .mutation(async ({ ctx, input }) => (await createTenant(ctx, input)).tenant),

  get: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/tenants/{id}", tags, summary: "Get a tenant" },
    })
    .input(tenantsContract.get.input)
    .output(tenantsContract.get.output)
    .query(({ ctx, input }) => getTenant(ctx, input)),

  list: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/tenants", tags, summary: "List tenants, newest first" },
    })
    .input(tenantsContract.list.input)
    .output(tenantsContract.list.output)
    .query(({ ctx, input }) => listTenants(ctx, input)),

  patch: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "PATCH", path: "/tenants/{id}", tags, summary: "Change some of a tenant's fields" },
    })
    .input(tenantsContract.patch.input)
    .output(tenantsContract.patch.output)
    .mutation(({ ctx, input }) => patchTenant(ctx, input)),

  put: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PUT",
        path: "/tenants/{id}",
        tags,
        summary: "Replace a tenant's profile (omitted fields return to their defaults)",
      },
    })
    .input(tenantsContract.put.input)
    .output(tenantsContract.put.output)
    .mutation(({ ctx, input }) => putTenant(ctx, input)),

  delete: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "DELETE", path: "/tenants/{id}", status: 204, tags, summary: "Delete a tenant" },
    })
    .input(tenantsContract.delete.input)
    .output(tenantsContract.delete.output)
    .mutation(({ ctx, input }) => deleteTenant(ctx, input)),

  suspend: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "POST", path: "/tenants/{id}/suspend", tags, summary: "Suspend a tenant" },
    })
    .input(tenantsContract.suspend.input)
    .output(tenantsContract.suspend.output)
    .mutation(({ ctx, input }) => suspendTenant(ctx, input)),

  archive: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "POST", path: "/tenants/{id}/archive", tags, summary: "Archive a tenant" },
    })
    .input(tenantsContract.archive.input)
    .output(tenantsContract.archive.output)
    .mutation(({ ctx, input }) => archiveTenant(ctx, input)),

  activate: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/tenants/{id}/activate",
        tags,
        summary: "Make a suspended or archived tenant active again",
      },
    })
    .input(tenantsContract.activate.input)
    .output(tenantsContract.activate.output)
    .mutation(({ ctx, input }) => activateTenant(ctx, input)),

  credentials: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "GET",
        path: "/tenants/{id}/credentials",
        tags,
        summary: "The tenant's write-only credentials, opened for the host's backend",
      },
    })
    .input(tenantsContract.credentials.input)
    .output(tenantsContract.credentials.output)
    .query(({ ctx, input }) => readTenantCredentials(ctx, input)),

  secretFields: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "GET",
        path: "/tenants/{id}/secret-fields",
        tags,
        summary: "The values of the tenant's secret fields, opened for the host's backend",
      },
    })
    .input(tenantsContract.secretFields.input)
    .output(tenantsContract.secretFields.output)
    .query(({ ctx, input }) => readTenantSecretFields(ctx, input)),
});
