import type { Tenant, TenantRecord } from "@tenantry/contracts/tenants";
import type { Executor } from "@tenantry/db/database";
import { fieldsStatusOf, loadFieldSchema, loadFieldSchemaAt } from "../fields/service";

/** Tenant answers as clients see them: with `fieldsStatus` against the current field schema. */
export async function withFieldsStatus(
  db: Executor,
  workspaceId: string,
  records: TenantRecord[],
): Promise<Tenant[]> {
  if (records.length === 0) return [];
  const { compiled } = await loadFieldSchema(db, workspaceId);
  return records.map((record) => ({
    ...record,
    fieldsStatus: fieldsStatusOf(compiled, record.fields, record.secretFieldsSet),
  }));
}

export async function withFieldsStatusOne(
  db: Executor,
  workspaceId: string,
  record: TenantRecord,
): Promise<Tenant> {
  return (await withFieldsStatus(db, workspaceId, [record]))[0]!;
}

/** One tenant whose schema head was read with its row (`getTenantRowWithSchemaHead`). */
export async function withFieldsStatusAt(
  db: Executor,
  workspaceId: string,
  record: TenantRecord,
  schemaHead: { version: number; updatedAt: Date } | null,
): Promise<Tenant> {
  const { compiled } = await loadFieldSchemaAt(db, workspaceId, schemaHead);
  return { ...record, fieldsStatus: fieldsStatusOf(compiled, record.fields, record.secretFieldsSet) };
}
