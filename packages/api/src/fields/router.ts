import { fieldsContract } from "@tenantry/contracts/fields";
import { patchTenantFields } from "../tenants/profile";
import { procedure, router, WORKSPACE } from "../trpc";
import { getFieldSchema, putFieldSchema } from "./service";
import { getTenantFields } from "./tenant-fields";

const tags = ["Tenant fields"];

export const fieldsRouter = router({
  getSchema: procedure
    .meta({
      access: { tenant: "token", permission: null },
      rest: {
        method: "GET",
        path: "/tenant-field-schema",
        tags,
        summary: "The workspace's tenant field schema",
      },
    })
    .input(fieldsContract.getSchema.input)
    .output(fieldsContract.getSchema.output)
    .query(({ ctx }) => getFieldSchema(ctx)),

  putSchema: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PUT",
        path: "/tenant-field-schema",
        tags,
        summary:
          "Replace the tenant field schema (stored values are kept, plain values of fields made secret are sealed; the answer counts those that no longer fit)",
      },
    })
    .input(fieldsContract.putSchema.input)
    .output(fieldsContract.putSchema.output)
    .mutation(({ ctx, input }) => putFieldSchema(ctx, input)),

  getForTenant: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "fields:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/fields",
        tags,
        summary: "A tenant's field values with the schema, and the values that no longer fit",
      },
    })
    .input(fieldsContract.getForTenant.input)
    .output(fieldsContract.getForTenant.output)
    .query(({ ctx, input }) => getTenantFields(ctx, input)),

  status: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "fields:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/fields/status",
        tags,
        summary: "Whether a tenant's fields are complete: required fields missing, values that no longer fit",
      },
    })
    .input(fieldsContract.status.input)
    .output(fieldsContract.status.output)
    .query(async ({ ctx, input }) => (await getTenantFields(ctx, input)).fieldsStatus),

  patchForTenant: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "fields:write" },
      rest: {
        method: "PATCH",
        path: "/tenants/{tenantId}/fields",
        tags,
        summary: "Set some of a tenant's field values (null removes one); secret fields are write-only",
      },
    })
    .input(fieldsContract.patchForTenant.input)
    .output(fieldsContract.patchForTenant.output)
    .mutation(async ({ ctx, input }) => {
      await patchTenantFields(ctx, {
        id: input.tenantId,
        fields: input.fields,
        expectedVersion: input.expectedVersion,
      });
      return getTenantFields(ctx, { tenantId: input.tenantId });
    }),
});
