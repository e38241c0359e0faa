import type { accessTokensContract } from "@tenantry/contracts/access-tokens";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import type { AccessTokenActor } from "../actor";
import type { Context } from "../context";
import { keepDefinedPermissions } from "../permissions/service";
import { memberForToken } from "../roles/authorization";
import { appError } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { createTenant } from "../tenants/create";
import { patchTenantFields } from "../tenants/profile";
import { type AccessTokenClaims, type TokenTenant, type VerifiedToken, verifyToken } from "./verify";

type TenantRow = typeof tenants.$inferSelect;

async function findTenantByInternalId(db: Executor, workspaceId: string, internalId: string) {
  const [row] = await db
    .select()
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.internalId, internalId)));
  return row;
}

/** Space-separated permissions of a token that names no user. */
export function scopePermissions(scope: string | undefined): Set<string> {
  return new Set((scope ?? "").split(/\s+/).filter(Boolean));
}

function actorFor(
  token: VerifiedToken,
  tenantId: string,
  permissions: ReadonlySet<string>,
  userId: string | null = null,
): AccessTokenActor {
  return {
    type: "access_token",
    workspaceId: token.workspaceId,
    tenantId,
    userId,
    permissions,
    keyId: token.keyId,
  };
}

/**
 * The tenant a token's `sub` names, created on first sight with the token's `name` and `fields`.
 * Concurrent first requests create exactly one: the unique (workspace, internal id) decides, and the
 * losers read the winner's row.
 */
export async function tenantForToken(
  ctx: Pick<ServiceContext, "db" | "keyring" | "requestId" | "clock">,
  token: VerifiedToken,
): Promise<TenantRow> {
  const { workspaceId, claims } = token;
  const existing = await findTenantByInternalId(ctx.db, workspaceId, claims.sub);
  if (existing) return existing;
  const id = newId("tenant");
  const sc: ServiceContext = {
    db: ctx.db,
    keyring: ctx.keyring,
    requestId: ctx.requestId,
    clock: ctx.clock,
    actor: actorFor(token, id, new Set()),
  };
  try {
    // A token that names a user with an email makes that user the new tenant's first owner.
    const owner = claims.user?.email
      ? {
          email: claims.user.email,
          firstName: claims.user.firstName,
          lastName: claims.user.lastName,
          externalId: claims.user.id,
        }
      : undefined;
    await createTenant(sc, {
      id,
      name: claims.name ?? claims.sub,
      internalId: claims.sub,
      fields: claims.fields,
      owner,
    });
  } catch (error) {
    const lostRace = await findTenantByInternalId(ctx.db, workspaceId, claims.sub);
    if (lostRace) return lostRace;
    throw error;
  }
  return (await findTenantByInternalId(ctx.db, workspaceId, claims.sub))!;
}

/** Field values in the claim that differ from what the tenant holds. */
function changedClaimFields(claims: AccessTokenClaims, tenant: TokenTenant): Record<string, unknown> | null {
  if (!claims.fields) return null;
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(claims.fields)) {
    if (JSON.stringify(tenant.fields[key]) !== JSON.stringify(value)) changed[key] = value;
  }
  return Object.keys(changed).length > 0 ? changed : null;
}

/**
 * Turns a bearer token into the actor a widget's request runs as: verified, its tenant loaded or
 * created, a changed `fields` claim merged (and logged), the tenant active, permissions resolved.
 * Takes the request's `Context`: this is where its actor comes from.
 */
export async function authenticateAccessToken(
  ctx: Context,
  bearer: string,
  /** The call's invalidation cache position (see Context): the key's and the member's reads share a fence. */
  since?: number,
): Promise<AccessTokenActor> {
  const verification = await verifyToken(
    ctx.db,
    ctx.keyring,
    bearer,
    ctx.clock.now().getTime(),
    ctx.jwks,
    since,
  );
  if (!verification.ok) {
    throw appError("UNAUTHORIZED", "unauthorized", `Invalid access token: ${verification.reason}`);
  }
  const token = verification.token;
  if (ctx.origin && !token.allowedOrigins?.includes(ctx.origin)) {
    throw appError(
      "FORBIDDEN",
      "origin_not_allowed",
      `Widgets may not call from ${ctx.origin}; add it to the workspace's allowed origins`,
    );
  }
  const tenant: TokenTenant = token.tenant ?? (await tenantForToken(ctx, token));
  if (tenant.status !== "active") {
    throw appError("FORBIDDEN", "tenant_inactive", `The tenant is ${tenant.status}`, {
      status: tenant.status,
    });
  }
  let actor: AccessTokenActor;
  if (token.claims.user) {
    // From the invalidated cache at most: a suspension counts on the very next request, in every process.
    const member = await memberForToken(
      ctx.db,
      { workspaceId: token.workspaceId, tenantId: tenant.id, externalUserId: token.claims.user.id },
      since,
    );
    if (!member) {
      throw appError(
        "FORBIDDEN",
        "not_a_member",
        `The token's user ${token.claims.user.id} is not a member of the tenant`,
      );
    }
    if (member.status !== "active") {
      throw appError("FORBIDDEN", "member_inactive", `The token's user is ${member.status} in this tenant`, {
        status: member.status,
      });
    }
    // An issuer's permissions claim narrows the member's roles; it never grants more than they do.
    const permissions = token.narrowedTo
      ? member.permissions.filter((permission) => token.narrowedTo!.has(permission))
      : member.permissions;
    actor = actorFor(token, tenant.id, new Set(permissions), member.userId);
  } else {
    const scope = scopePermissions(token.claims.scope);
    actor = actorFor(token, tenant.id, await keepDefinedPermissions(ctx.db, token.workspaceId, scope));
  }
  const changed = changedClaimFields(token.claims, tenant);
  if (changed) {
    const sc: ServiceContext = { ...ctx, actor };
    await patchTenantFields(sc, { id: tenant.id, fields: changed, fromTokenClaims: true });
  }
  return actor;
}

type Introspect = typeof accessTokensContract.introspect;

/**
 * RFC 7662 introspection for the host's backend. Has no side effects: it creates no tenant. An
 * issuer's token needs the request's JWKS keys as well.
 */
export async function introspectToken(
  ctx: ServiceContext & Pick<Context, "jwks">,
  { token }: z.infer<Introspect["input"]>,
): Promise<z.infer<Introspect["output"]>> {
  const workspaceId = ctx.actor.workspaceId;
  const verification = await verifyToken(ctx.db, ctx.keyring, token, ctx.clock.now().getTime(), ctx.jwks);
  if (!verification.ok || verification.token.workspaceId !== workspaceId) return { active: false };
  const { claims, keyId } = verification.token;
  const tenant = await findTenantByInternalId(ctx.db, workspaceId, claims.sub);
  if (tenant && tenant.status !== "active") return { active: false };
  let userId: string | null = null;
  if (claims.user) {
    const member = tenant
      ? await memberForToken(ctx.db, { workspaceId, tenantId: tenant.id, externalUserId: claims.user.id })
      : null;
    // A user's token works only while they are an active member (a new tenant's first user becomes one).
    if (tenant && member?.status !== "active") return { active: false };
    userId = member?.userId ?? null;
  }
  return {
    active: true,
    sub: claims.sub,
    tenantId: tenant?.id ?? null,
    exp: claims.exp,
    iat: claims.iat ?? null,
    scope: claims.scope ?? null,
    userId,
    externalUserId: claims.user?.id ?? null,
    kid: keyId,
    tokenType: "access_token",
  };
}
