import type { JsonObject } from "@tenantry/contracts/json";
import { type CryptoKey, importJWK, type JWK, SignJWT } from "jose";

/** Tenantry refuses tokens that live longer: a leaked one is worth a day at most. */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

export type SigningKey =
  /** An HS256 key created with `POST /signing-keys {"algorithm":"HS256"}`: its id and the secret shown once. */
  | { id: string; secret: string }
  /** A key whose public JWK you registered; the private key stays with you. */
  | { id: string; algorithm: "ES256" | "EdDSA" | "RS256"; privateKey: CryptoKey | JWK };

export interface SignAccessTokenOptions {
  signingKey: SigningKey;
  /** The tenant: `id` is your id for it (the token's `sub`, Tenantry's `internalId`). */
  tenant: {
    id: string;
    /** Used when Tenantry first sees this tenant. */
    name?: string;
    /** Field values to merge into the tenant (checked against the field schema). */
    fields?: JsonObject;
  };
  /** The signed-in user; the widgets act with that member's roles. Without one, `scope` decides. */
  user?: { id: string; email?: string; firstName?: string; lastName?: string };
  /** What a token without a user may do, e.g. `["fields:read", "fields:write"]`. */
  scope?: string | string[];
  /** Lifetime: seconds, or a jose time span such as `"15m"`. At most 24 hours. */
  expiresIn: number | string;
  /** Audience; when set it must include `"tenantry"`. */
  audience?: string | string[];
}

const UNITS: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600, d: 86400 };

function lifetimeSeconds(expiresIn: number | string): number {
  if (typeof expiresIn === "number") return expiresIn;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d)?\s*$/i.exec(expiresIn);
  if (!match) throw new RangeError(`expiresIn must be seconds or a span such as "15m" (got "${expiresIn}")`);
  return Math.round(Number(match[1]) * UNITS[(match[2] ?? "s").toLowerCase()]!);
}

async function keyOf(signingKey: SigningKey): Promise<{ alg: string; key: Uint8Array | CryptoKey }> {
  // The secret string itself is the key, as every JWT library assumes.
  if ("secret" in signingKey) return { alg: "HS256", key: new TextEncoder().encode(signingKey.secret) };
  const key = signingKey.privateKey;
  const imported = "kty" in key ? await importJWK(key as JWK, signingKey.algorithm) : key;
  return { alg: signingKey.algorithm, key: imported as CryptoKey };
}

/**
 * Signs the short-lived access token your frontend hands to the widgets, on your backend:
 * `kid` is the signing key's id, `exp` is always set and at most 24 hours away.
 */
export async function signAccessToken(options: SignAccessTokenOptions): Promise<string> {
  const { signingKey, tenant, user, scope } = options;
  if (!signingKey?.id) throw new TypeError("signAccessToken: signingKey.id is required");
  if (!tenant?.id) throw new TypeError("signAccessToken: tenant.id is required");
  const lifetime = lifetimeSeconds(options.expiresIn);
  if (!(lifetime > 0 && lifetime <= MAX_TOKEN_LIFETIME_SECONDS)) {
    throw new RangeError(`expiresIn must be between 1 second and 24 hours (got ${lifetime} s)`);
  }
  const { alg, key } = await keyOf(signingKey);
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    ...(tenant.name !== undefined ? { name: tenant.name } : {}),
    ...(tenant.fields !== undefined ? { fields: tenant.fields } : {}),
    ...(user ? { user } : {}),
    ...(scope !== undefined ? { scope: Array.isArray(scope) ? scope.join(" ") : scope } : {}),
  })
    .setProtectedHeader({ alg, kid: signingKey.id, typ: "JWT" })
    .setSubject(tenant.id)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetime);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return jwt.sign(key);
}
