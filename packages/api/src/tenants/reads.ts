import type { ListTenantsInput, Tenant, TenantPage, TenantRefInput } from "@tenantry/contracts/tenants";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, desc, eq, ilike, lt, or, type SQL } from "drizzle-orm";
import { decodeCursor, pageOf } from "../shared/cursor";
import { containsPattern } from "../shared/like";
import { isTransaction } from "../shared/prepared";
import type { ServiceContext } from "../shared/service-context";
import { withFieldsStatus, withFieldsStatusAt, withFieldsStatusOne } from "./fields-status";
import { getTenantRow, getTenantRowWithSchemaHead, toTenant } from "./rows";

export async function getTenant(ctx: ServiceContext, input: TenantRefInput): Promise<Tenant> {
  const workspaceId = ctx.actor.workspaceId;
  if (isTransaction(ctx.db)) {
    return withFieldsStatusOne(
      ctx.db,
      workspaceId,
      toTenant(await getTenantRow(ctx.db, workspaceId, input.id)),
    );
  }
  // The row and the field schema's head in one round trip (a read by id is the hottest read there is).
  const { row, schemaHead } = await getTenantRowWithSchemaHead(ctx.db, workspaceId, input.id);
  return withFieldsStatusAt(ctx.db, workspaceId, toTenant(row), schemaHead);
}

/** Newest first, by keyset on the id; `q` matches name and slug in part, the ids exactly. */
export async function listTenants(ctx: ServiceContext, input: ListTenantsInput): Promise<TenantPage> {
  const workspaceId = ctx.actor.workspaceId;
  const conditions: (SQL | undefined)[] = [eq(tenants.workspaceId, workspaceId)];
  if (input.cursor) conditions.push(lt(tenants.id, decodeCursor(input.cursor)));
  if (input.status) conditions.push(eq(tenants.status, input.status));
  if (input.kind) conditions.push(eq(tenants.kind, input.kind));
  if (input.internalId) conditions.push(eq(tenants.internalId, input.internalId));
  if (input.planKey) conditions.push(eq(tenants.planKey, input.planKey));
  if (input.q) {
    const pattern = containsPattern(input.q);
    conditions.push(
      or(
        ilike(tenants.name, pattern),
        ilike(tenants.slug, pattern),
        eq(tenants.internalId, input.q),
        eq(tenants.externalId, input.q),
      ),
    );
  }
  const rows = await ctx.db
    .select()
    .from(tenants)
    .where(and(...conditions))
    .orderBy(desc(tenants.id))
    .limit(input.limit + 1);
  const page = pageOf(rows.map(toTenant), input.limit);
  return { items: await withFieldsStatus(ctx.db, workspaceId, page.items), nextCursor: page.nextCursor };
}
