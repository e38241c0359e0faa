import type { Executor } from "@tenantry/db/database";
import { z } from "zod";
import { assertTenantAccess, requirePermission } from "../auth/access";
import { jsonObject } from "../shared/json";
import { tenantIdSchema } from "../tenants/schemas";
import { getTenantRow, patchTenantFields, toTenant } from "../tenants/service";
import { apiKeyProcedure, router, tenantProcedure } from "../trpc";
import { fieldSchemaDocument } from "./field-schema";
import { fieldIssuesOf, loadFieldSchema, putFieldSchema } from "./service";

const tags = ["Tenant fields"];

const fieldSchemaOutput = z.object({
  schema: fieldSchemaDocument,
  version: z.number().describe("0 until a schema is saved; moves on every change."),
  updatedAt: z.string().nullable(),
  /** Field names in display order (`x-order`, then name). */
  order: z.array(z.string()),
});

const issueSchema = z.object({ path: z.string(), message: z.string() });

const tenantFieldsOutput = z.object({
  tenantId: z.string(),
  /** Plain values, including keys the schema does not name. Secret values are never here. */
  values: z.record(z.string(), z.unknown()),
  secretFieldsSet: z.array(z.string()),
  /** Stored values that no longer fit the current schema. */
  issues: z.array(issueSchema),
  schema: fieldSchemaOutput,
  tenantVersion: z.number(),
});

async function tenantFields(db: Executor, workspaceId: string, tenantId: string) {
  const [row, loaded] = await Promise.all([
    getTenantRow(db, workspaceId, tenantId),
    loadFieldSchema(db, workspaceId),
  ]);
  const tenant = toTenant(row);
  return {
    tenantId,
    values: tenant.fields,
    secretFieldsSet: tenant.secretFieldsSet,
    issues: fieldIssuesOf(loaded.compiled, tenant.fields, tenant.secretFieldsSet),
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
  getSchema: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenant-field-schema",
        tags,
        summary: "The workspace's tenant field schema",
      },
    })
    .input(z.strictObject({}).optional())
    .output(fieldSchemaOutput)
    .query(async ({ ctx }) => {
      const loaded = await loadFieldSchema(ctx.db, ctx.actor.workspaceId);
      return {
        schema: loaded.compiled.document,
        version: loaded.version,
        updatedAt: loaded.updatedAt,
        order: loaded.compiled.orderedFields,
      };
    }),

  putSchema: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "PUT",
        path: "/tenant-field-schema",
        tags,
        summary:
          "Replace the tenant field schema (stored values are kept; the answer counts those that no longer fit)",
      },
    })
    .input(
      z
        .object({ schema: z.unknown() })
        .meta({ description: '`{ schema: { type: "object", properties, required } }`' }),
    )
    .output(
      z.object({
        schema: fieldSchemaDocument,
        version: z.number(),
        updatedAt: z.string(),
        tenantsNotFitting: z.number(),
      }),
    )
    .mutation(({ ctx, input }) => putFieldSchema(ctx, input.schema)),

  getForTenant: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/fields",
        tags,
        summary: "A tenant's field values with the schema, and the values that no longer fit",
      },
    })
    .input(z.strictObject({ tenantId: tenantIdSchema }))
    .output(tenantFieldsOutput)
    .query(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "fields:read");
      return tenantFields(ctx.db, ctx.actor.workspaceId, input.tenantId);
    }),

  patchForTenant: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "PATCH",
        path: "/tenants/{tenantId}/fields",
        tags,
        summary: "Set some of a tenant's field values (null removes one); secret fields are write-only",
      },
    })
    .input(
      z.strictObject({
        tenantId: tenantIdSchema,
        fields: jsonObject("Field values to set; null removes one.", { maxBytes: 64 * 1024 }),
        expectedVersion: z.number().int().min(1).optional(),
      }),
    )
    .output(tenantFieldsOutput)
    .mutation(async ({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "fields:write");
      await patchTenantFields(ctx, {
        id: input.tenantId,
        fields: input.fields,
        expectedVersion: input.expectedVersion,
      });
      return tenantFields(ctx.db, ctx.actor.workspaceId, input.tenantId);
    }),
});
