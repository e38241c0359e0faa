import { isId } from "@tenantry/contracts/ids";
import { jsonObject } from "@tenantry/contracts/json";
import type { IssuerClaims, SigningAlgorithm } from "@tenantry/contracts/signing-keys";
import type { Database } from "@tenantry/db/database";
import { signingKeys } from "@tenantry/db/schema/signing-keys";
import { tenants } from "@tenantry/db/schema/tenants";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, type JWTPayload, jwtVerify } from "jose";
import { z } from "zod";
import { readThrough } from "../invalidation/cache";
import { cacheOf } from "../invalidation/listener";
import type { Keyring } from "../secrets/keyring";
import { prepared } from "../shared/prepared";
import { openSigningSecret, type SigningKeyRow } from "../signing-keys/service";
import { allowedOriginsOf } from "../workspaces/allowed-origins";
import { ISSUER_ALGORITHMS, type JwksKeys } from "./jwks";

/** Tokens are short-lived by design: a leaked one is worth a day at most. */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
export const CLOCK_SKEW_SECONDS = 30;
export const MAX_TOKEN_BYTES = 8 * 1024;
/** A token may name an audience; if it does, it must include this one. */
export const TOKEN_AUDIENCE = "tenantry";

export const accessTokenClaims = z.object({
  sub: z.string().min(1).max(255),
  name: z.string().trim().min(1).max(200).optional(),
  fields: jsonObject("Field values for the tenant.", { maxBytes: 16 * 1024 }).optional(),
  user: z
    .object({
      id: z.string().min(1).max(255),
      email: z.string().max(320).optional(),
      firstName: z.string().max(200).optional(),
      lastName: z.string().max(200).optional(),
    })
    .optional(),
  scope: z.string().max(4000).optional(),
  exp: z.number(),
  iat: z.number().optional(),
});

export type AccessTokenClaims = z.infer<typeof accessTokenClaims>;

/** The token's tenant as read with its key, when it exists already (what authentication needs of it). */
export type TokenTenant = {
  id: string;
  status: "active" | "suspended" | "archived";
  fields: Record<string, unknown>;
};

export type VerifiedToken = {
  workspaceId: string;
  keyId: string;
  claims: AccessTokenClaims;
  tenant?: TokenTenant | null;
  /** The workspace's allowed browser origins, read in the same round trip. */
  allowedOrigins?: string[];
  /**
   * An issuer's token: the permissions its claims name. They narrow the member's roles (the actor
   * gets only those of them the roles grant); they never add to them.
   */
  narrowedTo?: ReadonlySet<string> | null;
};
export type Verification = { ok: true; token: VerifiedToken } | { ok: false; reason: string };

/**
 * Imported verification keys by `kid`. A key's material never changes, so caching it is safe; the
 * key's row comes from the invalidated cache, so a revocation counts at once in every process.
 */
const importedKeys = new Map<string, Promise<Uint8Array | CryptoKey>>();
const IMPORTED_KEYS_LIMIT = 1000;

function verificationKey(
  keyring: Keyring,
  row: SigningKeyRow & { algorithm: SigningAlgorithm },
): Promise<Uint8Array | CryptoKey> {
  let key = importedKeys.get(row.id);
  if (!key) {
    key =
      row.algorithm === "HS256"
        ? openSigningSecret(keyring, row)
        : (importJWK(row.publicJwk as JWK, row.algorithm) as Promise<CryptoKey>);
    key.catch(() => importedKeys.delete(row.id));
    if (importedKeys.size >= IMPORTED_KEYS_LIMIT) importedKeys.delete(importedKeys.keys().next().value!);
    importedKeys.set(row.id, key);
  }
  return key;
}

/**
 * Verifies an access token with jose: `kid` names a live key, the header's `alg` must be that key's
 * own algorithm (no `alg` confusion, never `none`), `exp` is required and at most 24 h after `iat`,
 * `iat` is not in the future, an `aud` (if any) includes "tenantry", 30 s of clock skew.
 */
/** The key and, in the same round trip, the tenant its (not yet verified) `sub` names. */
function keyAndTenantStatement(db: Database) {
  return prepared(db, "token_key_and_tenant", (d) =>
    d
      .select({
        key: signingKeys,
        tenantId: tenants.id,
        tenantStatus: tenants.status,
        tenantFields: tenants.fields,
        workspaceSettings: workspaces.settings,
      })
      .from(signingKeys)
      .innerJoin(workspaces, eq(workspaces.id, signingKeys.workspaceId))
      .leftJoin(
        tenants,
        and(eq(tenants.workspaceId, signingKeys.workspaceId), eq(tenants.internalId, sql.placeholder("sub"))),
      )
      .where(and(eq(signingKeys.id, sql.placeholder("kid")), isNull(signingKeys.revokedAt)))
      .limit(1)
      .prepare("token_key_and_tenant"),
  );
}

export async function verifyToken(
  db: Database,
  keyring: Keyring,
  token: string,
  /** Milliseconds since the epoch, from the request's clock. */
  now: number,
  jwks?: JwksKeys,
  /** The call's invalidation cache position (see Context), so its cached reads share one fence. */
  since?: number,
): Promise<Verification> {
  if (token.length > MAX_TOKEN_BYTES) return { ok: false, reason: "token is larger than 8 KiB" };
  let header: ReturnType<typeof decodeProtectedHeader>;
  let unverifiedSub: unknown;
  try {
    header = decodeProtectedHeader(token);
    unverifiedSub = decodeJwt(token).sub;
  } catch {
    return { ok: false, reason: "not a JWT" };
  }
  if (typeof header.kid !== "string" || !isId("sk", header.kid)) {
    // Not one of Tenantry's own keys: a token of the host's identity provider names its issuer.
    const unverifiedIssuer = (() => {
      try {
        return decodeJwt(token).iss;
      } catch {
        return undefined;
      }
    })();
    if (typeof unverifiedIssuer === "string" && jwks) {
      return verifyIssuerToken(db, jwks, token, unverifiedIssuer, now, since);
    }
    return { ok: false, reason: "missing or malformed kid" };
  }
  const kid = header.kid;
  const sub = typeof unverifiedSub === "string" ? unverifiedSub : "";
  // Cached per process (invalidation/): revoking the key, or changing the tenant's status or fields
  // or the workspace's settings, notifies every process in the same transaction.
  const found = await readThrough(
    cacheOf(db),
    `token_key:${kid}:${sub}`,
    async () => (await keyAndTenantStatement(db).execute({ kid, sub }))[0],
    (row) => row?.key.workspaceId ?? null,
    since,
  );
  if (!found) return { ok: false, reason: "unknown or revoked signing key" };
  const row = found.key;
  if (row.algorithm === null) {
    return { ok: false, reason: `the key ${row.id} is an issuer; its tokens carry their provider's own kid` };
  }
  if (header.alg !== row.algorithm)
    return { ok: false, reason: `the key ${row.id} signs with ${row.algorithm} only` };

  let payload: JWTPayload;
  try {
    const algorithm = row.algorithm;
    const key = await verificationKey(keyring, { ...row, algorithm });
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [algorithm],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(now),
      requiredClaims: ["exp", "sub"],
    }));
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }

  const nowSeconds = Math.floor(now / 1000);
  if (payload.aud !== undefined) {
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.includes(TOKEN_AUDIENCE))
      return { ok: false, reason: `aud must include "${TOKEN_AUDIENCE}"` };
  }
  if (typeof payload.iat === "number" && payload.iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: "iat is in the future" };
  }
  const issuedAt = typeof payload.iat === "number" ? payload.iat : nowSeconds;
  if ((payload.exp ?? 0) - issuedAt > MAX_TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: "exp is more than 24 hours after iat" };
  }
  const claims = accessTokenClaims.safeParse(payload);
  if (!claims.success) {
    const issue = claims.error.issues[0]!;
    return { ok: false, reason: `claim ${issue.path.join(".")}: ${issue.message}` };
  }
  // The signature covers `sub`, so the tenant read with the unverified one is the right one.
  const tenant =
    found.tenantId && found.tenantStatus && found.tenantFields
      ? { id: found.tenantId, status: found.tenantStatus, fields: found.tenantFields }
      : null;
  return {
    ok: true,
    token: {
      workspaceId: row.workspaceId,
      keyId: row.id,
      claims: claims.data,
      tenant,
      allowedOrigins: allowedOriginsOf(found.workspaceSettings),
    },
  };
}

/** A claim by its path: the full name first (`https://example.com/org`), then dot by dot (`org.id`). */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** An array claim, or a space-separated one such as `scope`. */
function permissionsClaim(value: unknown): Set<string> | null | "invalid" {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return new Set(value.split(/\s+/).filter(Boolean));
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return new Set(value);
  return "invalid";
}

const text = (value: unknown) =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;

/** The claims an HS256 token would carry, read from an issuer's token through its claims mapping. */
export function mappedClaims(
  payload: JWTPayload,
  paths: IssuerClaims,
): { ok: true; claims: unknown; narrowedTo: Set<string> | null } | { ok: false; reason: string } {
  const at = (path: string) => claimAt(payload as Record<string, unknown>, path);
  const tenant = text(at(paths.tenant));
  if (!tenant) return { ok: false, reason: `the tenant claim ${paths.tenant} is missing or not a string` };
  const userId = text(at(paths.userId));
  if (!userId) return { ok: false, reason: `the user id claim ${paths.userId} is missing or not a string` };
  const narrowedTo = permissionsClaim(at(paths.permissions));
  if (narrowedTo === "invalid") {
    return {
      ok: false,
      reason: `the permissions claim ${paths.permissions} must be an array of strings or a space-separated string`,
    };
  }
  const optional = (path: string) => {
    const value = at(path);
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const user = Object.fromEntries(
    Object.entries({
      id: userId,
      email: optional(paths.email),
      firstName: optional(paths.firstName),
      lastName: optional(paths.lastName),
    }).filter(([, value]) => value !== undefined),
  );
  const name = optional(paths.tenantName);
  return {
    ok: true,
    claims: { sub: tenant, ...(name ? { name } : {}), user, exp: payload.exp, iat: payload.iat },
    narrowedTo,
  };
}

/** Live issuers with this `iss` that expect one of the token's audiences, and their workspaces' settings. */
function issuersFor(db: Database, issuer: string, audiences: string[]) {
  return db
    .select({ key: signingKeys, workspaceSettings: workspaces.settings })
    .from(signingKeys)
    .innerJoin(workspaces, eq(workspaces.id, signingKeys.workspaceId))
    .where(
      and(
        eq(signingKeys.issuer, issuer),
        inArray(signingKeys.audience, audiences),
        isNotNull(signingKeys.jwksUrl),
        isNull(signingKeys.revokedAt),
      ),
    )
    .limit(2);
}

/**
 * Verifies a token of a registered issuer: its `aud` picks the one issuer (and so the workspace) that
 * expects it, the signature is checked with the issuer's JWKS (asymmetric algorithms only), `iss` and
 * `aud` are checked again by jose, and the same lifetime rules as for Tenantry's own keys hold.
 */
async function verifyIssuerToken(
  db: Database,
  jwks: JwksKeys,
  token: string,
  unverifiedIssuer: string,
  now: number,
  since: number | undefined,
): Promise<Verification> {
  let unverifiedAudiences: unknown;
  try {
    unverifiedAudiences = decodeJwt(token).aud;
  } catch {
    return { ok: false, reason: "not a JWT" };
  }
  const audiences = (Array.isArray(unverifiedAudiences) ? unverifiedAudiences : [unverifiedAudiences])
    .filter((audience): audience is string => typeof audience === "string")
    .slice(0, 20);
  const matching =
    audiences.length > 0
      ? await readThrough(
          cacheOf(db),
          `issuer:${JSON.stringify([unverifiedIssuer, audiences])}`,
          () => issuersFor(db, unverifiedIssuer, audiences),
          // Only the one answer that names one workspace is kept (a new issuer notifies too).
          (rows) => (rows.length === 1 ? rows[0]!.key.workspaceId : null),
          since,
        )
      : [];
  if (matching.length === 0) {
    return { ok: false, reason: `no issuer "${unverifiedIssuer}" is registered for the token's aud` };
  }
  // Registration refuses a second issuer with the same iss and aud; two here would be a race: refuse.
  if (matching.length > 1) return { ok: false, reason: "the token's iss and aud match more than one issuer" };
  const { key: row, workspaceSettings } = matching[0]!;

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, jwks.keyFor(row.jwksUrl!), {
      algorithms: ISSUER_ALGORITHMS,
      issuer: row.issuer!,
      audience: row.audience!,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(now),
      requiredClaims: ["exp"],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_JOSE_ALG_NOT_ALLOWED") {
      return {
        ok: false,
        reason: `an issuer's tokens must use an asymmetric algorithm (${ISSUER_ALGORITHMS.join(", ")})`,
      };
    }
    return { ok: false, reason: (error as Error).message };
  }
  const nowSeconds = Math.floor(now / 1000);
  if (typeof payload.iat === "number" && payload.iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: "iat is in the future" };
  }
  const issuedAt = typeof payload.iat === "number" ? payload.iat : nowSeconds;
  if ((payload.exp ?? 0) - issuedAt > MAX_TOKEN_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: "exp is more than 24 hours after iat" };
  }
  const mapped = mappedClaims(payload, row.claims!);
  if (!mapped.ok) return mapped;
  const claims = accessTokenClaims.safeParse(mapped.claims);
  if (!claims.success) {
    const issue = claims.error.issues[0]!;
    return { ok: false, reason: `claim ${issue.path.join(".")}: ${issue.message}` };
  }
  return {
    ok: true,
    token: {
      workspaceId: row.workspaceId,
      keyId: row.id,
      claims: claims.data,
      allowedOrigins: allowedOriginsOf(workspaceSettings),
      narrowedTo: mapped.narrowedTo,
    },
  };
}
