import type { JsonObject } from "@tenantry/contracts/json";
import type { testTenantSchema, workspacesContract } from "@tenantry/contracts/workspaces";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import type { z } from "zod";
import { tenantForToken } from "../access-tokens/service";
import { TOKEN_AUDIENCE } from "../access-tokens/verify";
import { recordActivity } from "../activity/service";
import { checkFieldValues } from "../fields/field-schema";
import { loadFieldSchema } from "../fields/service";
import { appError, issuesMessage, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { openSigningSecret, testTenantSigningKey } from "../signing-keys/service";

export type TestTenantSettings = z.infer<typeof testTenantSchema>;
type MintTestTenantToken = typeof workspacesContract.mintTestTenantToken;

export const DEFAULT_TEST_TENANT: TestTenantSettings = {
  internalId: "test-tenant",
  name: "Test tenant",
  fields: {},
};

export async function getTestTenant(ctx: ServiceContext): Promise<TestTenantSettings> {
  const workspaceId = ctx.actor.workspaceId;
  const [row] = await ctx.db
    .select({ testTenant: workspaces.testTenant })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  if (!row) throw notFound("Workspace", workspaceId);
  return row.testTenant ?? DEFAULT_TEST_TENANT;
}

export async function putTestTenant(
  sc: ServiceContext,
  settings: z.infer<typeof workspacesContract.putTestTenant.input>,
): Promise<TestTenantSettings> {
  const { compiled } = await loadFieldSchema(sc.db, sc.actor.workspaceId);
  const issues = checkFieldValues(compiled, settings.fields, Object.keys(settings.fields));
  const secret = Object.keys(settings.fields).find((name) => compiled.secretFields.has(name));
  if (secret)
    issues.unshift({ path: `fields.${secret}`, message: "is a secret field; tokens cannot carry secrets" });
  if (issues.length > 0) {
    throw appError("BAD_REQUEST", "invalid_fields", issuesMessage(issues), {
      issues,
    });
  }
  return sc.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ testTenant: workspaces.testTenant })
      .from(workspaces)
      .where(eq(workspaces.id, sc.actor.workspaceId))
      .for("update");
    await tx
      .update(workspaces)
      .set({ testTenant: settings, updatedAt: sc.clock.now() })
      .where(eq(workspaces.id, sc.actor.workspaceId));
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "test_tenant.updated",
      targetType: "workspace",
      targetId: sc.actor.workspaceId,
      before: { ...(before?.testTenant ?? DEFAULT_TEST_TENANT) },
      after: { ...settings },
    });
    return settings;
  });
}

/**
 * Mints a short-lived access token for the test tenant with Tenantry's own HS256 key, so the
 * console and Storybook can act as it. The tenant is created now if it does not exist yet.
 */
export async function mintTestTenantToken(
  sc: ServiceContext,
  options: z.infer<MintTestTenantToken["input"]>,
): Promise<z.infer<MintTestTenantToken["output"]>> {
  const settings = await getTestTenant(sc);
  const key = await testTenantSigningKey(sc);
  const issuedAt = Math.floor(sc.clock.now().getTime() / 1000);
  const claims = {
    name: settings.name,
    // Checked against the schema when the settings were saved; JSON by construction.
    fields: settings.fields as JsonObject,
    ...(options.user ? { user: options.user } : {}),
    ...(options.scope ? { scope: options.scope } : {}),
  };
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", kid: key.id, typ: "JWT" })
    .setSubject(settings.internalId)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.expiresInSeconds)
    .sign(await openSigningSecret(sc.keyring, key));
  const tenant = await tenantForToken(sc, {
    workspaceId: sc.actor.workspaceId,
    keyId: key.id,
    claims: { ...claims, sub: settings.internalId, exp: issuedAt + options.expiresInSeconds, iat: issuedAt },
  });
  return {
    token,
    expiresAt: new Date((issuedAt + options.expiresInSeconds) * 1000).toISOString(),
    tenantId: tenant.id,
    kid: key.id,
  };
}
