import type { TenantCredentials, TenantRefInput, TenantSecretFields } from "@tenantry/contracts/tenants";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq } from "drizzle-orm";
import { openSecretFields } from "../fields/service";
import { workspaceAad } from "../secrets/keyring";
import { notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { getTenantRow, type TenantRow } from "./rows";

/** Binds a tenant's sealed credentials to its workspace and id: a value moved to another row fails to open. */
export const credentialsAad = (workspaceId: string, tenantId: string) =>
  workspaceAad(workspaceId, `tenant:${tenantId}:credentials`);

/** The columns that store new credentials sealed, or clear them (null). */
export async function credentialChanges(
  ctx: ServiceContext,
  tenantId: string,
  credentials: Record<string, unknown> | null,
): Promise<Partial<TenantRow>> {
  if (credentials === null) return { credentialsSealed: null, credentialsUpdatedAt: null };
  return {
    credentialsSealed: await ctx.keyring.seal(
      JSON.stringify(credentials),
      credentialsAad(ctx.actor.workspaceId, tenantId),
    ),
    credentialsUpdatedAt: ctx.clock.now(),
  };
}

/**
 * Opens the tenant's credentials for the host's backend (API key only). A value sealed under a
 * previous encryption key is sealed again under the current one on the way (lazy rotation).
 */
export async function readTenantCredentials(
  ctx: ServiceContext,
  input: TenantRefInput,
): Promise<TenantCredentials> {
  const workspaceId = ctx.actor.workspaceId;
  const { id } = input;
  const [row] = await ctx.db
    .select({ sealed: tenants.credentialsSealed, updatedAt: tenants.credentialsUpdatedAt })
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, id)));
  if (!row) throw notFound("Tenant", id);
  if (!row.sealed) return { credentials: null, updatedAt: null };
  const credentials = JSON.parse(await ctx.keyring.open(row.sealed, credentialsAad(workspaceId, id)));
  if (ctx.keyring.isStale(row.sealed)) {
    const resealed = await ctx.keyring.seal(JSON.stringify(credentials), credentialsAad(workspaceId, id));
    // Only if nobody wrote new credentials meanwhile.
    await ctx.db
      .update(tenants)
      .set({ credentialsSealed: resealed })
      .where(
        and(
          eq(tenants.workspaceId, workspaceId),
          eq(tenants.id, id),
          eq(tenants.credentialsSealed, row.sealed),
        ),
      );
  }
  return { credentials, updatedAt: row.updatedAt?.toISOString() ?? null };
}

/** Opens the values of the tenant's secret fields for the host's backend. */
export async function readTenantSecretFields(
  ctx: ServiceContext,
  input: TenantRefInput,
): Promise<TenantSecretFields> {
  const workspaceId = ctx.actor.workspaceId;
  const row = await getTenantRow(ctx.db, workspaceId, input.id);
  return { values: await openSecretFields(ctx.keyring, workspaceId, input.id, row.secretFields) };
}
