import type { TenantRecord } from "@tenantry/contracts/tenants";
import type { Database, Executor } from "@tenantry/db/database";
import { tenantFieldSchemas } from "@tenantry/db/schema/tenant-field-schemas";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq, sql } from "drizzle-orm";
import { notFound } from "../shared/errors";
import { isTransaction, prepared } from "../shared/prepared";

export type TenantRow = typeof tenants.$inferSelect;
export type TenantStatus = TenantRow["status"];

/** 404 unless the tenant exists in the workspace (for domains that hang rows off a tenant). */
export async function assertTenantExists(db: Executor, workspaceId: string, tenantId: string): Promise<void> {
  const [row] = await db
    .select({ id: tenants.id })
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenantId)));
  if (!row) throw notFound("Tenant", tenantId);
}

/** A tenant row as the API shows it, without `fieldsStatus` (what the activity log records). */
export function toTenant(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    internalId: row.internalId,
    externalId: row.externalId,
    name: row.name,
    slug: row.slug,
    kind: row.kind,
    status: row.status,
    planKey: row.planKey,
    trial: row.trial,
    trialEndsAt: row.trialEndsAt?.toISOString() ?? null,
    paymentStatus: row.paymentStatus,
    mfa: row.mfa,
    locale: row.locale,
    logo: row.logo,
    onboarded: row.onboarded,
    federationConnection: row.federationConnection,
    billingEmail: row.billingEmail,
    technicalContactEmail: row.technicalContactEmail,
    ownerUserId: row.ownerUserId,
    maxUsers: row.maxUsers,
    maxWorkspaces: row.maxWorkspaces,
    maxProjects: row.maxProjects,
    maxEnvironments: row.maxEnvironments,
    aiCreditsRolling30DayLimit: row.aiCreditsRolling30DayLimit,
    metadata: row.metadata,
    fields: row.fields,
    secretFieldsSet: Object.keys(row.secretFields).sort(),
    hasCredentials: row.credentialsSealed !== null,
    credentialsUpdatedAt: row.credentialsUpdatedAt?.toISOString() ?? null,
    scopeId: row.scopeId,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Input values as column values (ISO strings become dates). Fields and credentials go their own way. */
export function toColumns(input: Partial<Record<string, unknown>>): Partial<TenantRow> {
  const columns: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || key === "fields" || key === "credentials") continue;
    columns[key] = key === "trialEndsAt" && typeof value === "string" ? new Date(value) : value;
  }
  return columns as Partial<TenantRow>;
}

export async function findTenantRow(
  db: Executor,
  workspaceId: string,
  id: string,
): Promise<TenantRow | undefined> {
  const [row] = await db
    .select()
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, id)));
  return row;
}

/** Reads outside a transaction take the prepared statement; inside one, the plain query on `tx`. */
export async function getTenantRow(db: Executor, workspaceId: string, id: string): Promise<TenantRow> {
  const row = isTransaction(db)
    ? await findTenantRow(db, workspaceId, id)
    : (await tenantByIdStatement(db).execute({ workspaceId, id }))[0];
  if (!row) throw notFound("Tenant", id);
  return row;
}

function tenantByIdStatement(db: Database) {
  return prepared(db, "tenant_by_id", (d) =>
    d
      .select()
      .from(tenants)
      .where(
        and(eq(tenants.workspaceId, sql.placeholder("workspaceId")), eq(tenants.id, sql.placeholder("id"))),
      )
      .prepare("tenant_by_id"),
  );
}

/**
 * A tenant's row and its workspace's field schema head (version and updatedAt, null without a
 * schema) in one prepared statement: a read by id needs both, and this is one round trip, not two.
 */
export async function getTenantRowWithSchemaHead(
  db: Database,
  workspaceId: string,
  id: string,
): Promise<{ row: TenantRow; schemaHead: { version: number; updatedAt: Date } | null }> {
  const [found] = await prepared(db, "tenant_by_id_with_schema_head", (d) =>
    d
      .select({
        row: tenants,
        schemaVersion: tenantFieldSchemas.version,
        schemaUpdatedAt: tenantFieldSchemas.updatedAt,
      })
      .from(tenants)
      .leftJoin(tenantFieldSchemas, eq(tenantFieldSchemas.workspaceId, tenants.workspaceId))
      .where(
        and(eq(tenants.workspaceId, sql.placeholder("workspaceId")), eq(tenants.id, sql.placeholder("id"))),
      )
      .prepare("tenant_by_id_with_schema_head"),
  ).execute({ workspaceId, id });
  if (!found) throw notFound("Tenant", id);
  const { row, schemaVersion, schemaUpdatedAt } = found;
  return {
    row,
    schemaHead:
      schemaVersion === null || schemaUpdatedAt === null
        ? null
        : { version: schemaVersion, updatedAt: schemaUpdatedAt },
  };
}
