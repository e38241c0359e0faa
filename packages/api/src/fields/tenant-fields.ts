import type { TenantFields, TenantFieldsInput } from "@tenantry/contracts/fields";
import type { ServiceContext } from "../shared/service-context";
import { getTenantRow, toTenant } from "../tenants/rows";
import { fieldIssuesOf, fieldsStatusOf, loadFieldSchema } from "./service";

/**
 * A tenant's field values with the schema and what no longer fits. Apart from `service.ts`, which
 * the tenants domain imports: reading a tenant from here there would be a cycle.
 */
export async function getTenantFields(ctx: ServiceContext, input: TenantFieldsInput): Promise<TenantFields> {
  const workspaceId = ctx.actor.workspaceId;
  const [row, loaded] = await Promise.all([
    getTenantRow(ctx.db, workspaceId, input.tenantId),
    loadFieldSchema(ctx.db, workspaceId),
  ]);
  const tenant = toTenant(row);
  // The schema change that makes a field secret seals its plain copies; should one remain (a tenant
  // created under the old schema while the change ran), it is still never shown as a value.
  const values = Object.fromEntries(
    Object.entries(tenant.fields).filter(([name]) => !loaded.compiled.secretFields.has(name)),
  );
  return {
    tenantId: input.tenantId,
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
