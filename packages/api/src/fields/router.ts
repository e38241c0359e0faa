import { fieldsContract } from "@tenantry/contracts/fields";
import type { Executor } from "@tenantry/db/database";
import { getTenantRow, patchTenantFields, toTenant } from "../tenants/service";
import { procedure, router, WORKSPACE } from "../trpc";
import { fieldIssuesOf, fieldsStatusOf, loadFieldSchema, putFieldSchema } from "./service";

const tags = ["Tenant fields"];

async function tenantFields(db: Executor, workspaceId: string, tenantId: string) {
  const [row, loaded] = await Promise.all([
    getTenantRow(db, workspaceId, tenantId),
    loadFieldSchema(db, workspaceId),
  ]);
  const tenant = toTenant(row);
  // The schema change that makes a field secret seals its plain copies; should one remain (a tenant
  // created under the old schema while the change ran), it is still never shown as a value.
  const values = Object.fromEntries(
    Object.entries(tenant.fields).filter(([name]) => !loaded.compiled.secretFields.has(name)),
  );
  return {
    tenantId,
    values,
    secretFieldsSet: tenant.secretFieldsSet,
    issues: fieldIssuesOf(loaded.compiled, values, tenant.secretFieldsSet),
    fieldsStatus: fieldsStatusOf(loaded.compiled, values, tenant.secretFieldsSet),
    schema: {
      schema: loaded.compiled.document,
      version: loaded.version,
      updatedAt: loaded.updatedAt,
      order: loaded.compiled.orderedFields,
    },
    tenantVersion: tenant.version,
  };
}

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
    .query(async ({ ctx }) => {
      const loaded = await loadFieldSchema(ctx.db, ctx.actor.workspaceId);
      return {
        schema: loaded.compiled.document,
        version: loaded.version,
        updatedAt: loaded.updatedAt,
        order: loaded.compiled.orderedFields,
      };
    }),

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
    .mutation(({ ctx, input }) => putFieldSchema(ctx, input.schema)),

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
    .query(({ ctx, input }) => {
      return tenantFields(ctx.db, ctx.actor.workspaceId, input.tenantId);
    }),

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
    .query(
      async ({ ctx, input }) =>
        (await tenantFields(ctx.db, ctx.actor.workspaceId, input.tenantId)).fieldsStatus,
    ),

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
      return tenantFields(ctx.db, ctx.actor.workspaceId, input.tenantId);
    }),
});
