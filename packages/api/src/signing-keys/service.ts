import {
  DEFAULT_ISSUER_CLAIMS,
  type IssuerClaims,
  type SigningAlgorithm,
  type signingKeysContract,
  type summary,
} from "@tenantry/contracts/signing-keys";
import type { Database, Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { signingKeys } from "@tenantry/db/schema/signing-keys";
import { and, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { importJWK, type JWK } from "jose";
import type { z } from "zod";
import { JwksError, type JwksKeys } from "../access-tokens/jwks";
import { recordActivity } from "../activity/service";
import type { Context } from "../context";
import { type Keyring, workspaceAad } from "../secrets/keyring";
import { base64url, fromBase64url, randomBytes } from "../shared/crypto";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";

export type SigningKeyRow = typeof signingKeys.$inferSelect;
export type SigningKeySummary = z.infer<typeof summary>;
type SigningKeyType = SigningKeySummary["type"];
type Create = typeof signingKeysContract.create;

export const signingSecretAad = (workspaceId: string, id: string) =>
  workspaceAad(workspaceId, `signing-key:${id}`);

/** The members of a public JWK per key type; anything else (notably `d`, the private part) is dropped. */
const PUBLIC_MEMBERS: Record<string, string[]> = {
  EC: ["kty", "crv", "x", "y"],
  OKP: ["kty", "crv", "x"],
  RSA: ["kty", "n", "e"],
};
const EXPECTED: Record<Exclude<SigningAlgorithm, "HS256">, { kty: string; crv?: string }> = {
  ES256: { kty: "EC", crv: "P-256" },
  EdDSA: { kty: "OKP", crv: "Ed25519" },
  RS256: { kty: "RSA" },
};

export function signingKeyType(row: Pick<SigningKeyRow, "algorithm">): SigningKeyType {
  if (row.algorithm === null) return "jwks";
  return row.algorithm === "HS256" ? "hs256" : "public_jwk";
}

function toSummary(row: SigningKeyRow): SigningKeySummary {
  return {
    id: row.id,
    name: row.name,
    type: signingKeyType(row),
    algorithm: row.algorithm,
    purpose: row.purpose,
    publicJwk: row.publicJwk,
    issuer: row.issuer,
    jwksUrl: row.jwksUrl,
    audience: row.audience,
    claims: row.claims,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** Checks a host's public key: the right type and curve for its algorithm, public only, importable. */
export async function checkPublicJwk(
  algorithm: Exclude<SigningAlgorithm, "HS256">,
  jwk: Record<string, unknown>,
) {
  const expected = EXPECTED[algorithm];
  if (jwk.d !== undefined || jwk.p !== undefined) {
    throw appError(
      "BAD_REQUEST",
      "invalid_input",
      "publicJwk holds a private key; send only the public part",
    );
  }
  if (jwk.kty !== expected.kty || (expected.crv && jwk.crv !== expected.crv)) {
    throw appError(
      "BAD_REQUEST",
      "invalid_input",
      `An ${algorithm} key is a JWK with kty "${expected.kty}"${expected.crv ? ` and crv "${expected.crv}"` : ""}`,
    );
  }
  const publicJwk = Object.fromEntries(PUBLIC_MEMBERS[expected.kty]!.map((m) => [m, jwk[m]]));
  try {
    await importJWK(publicJwk as JWK, algorithm);
  } catch (error) {
    throw appError("BAD_REQUEST", "invalid_input", `publicJwk does not import: ${(error as Error).message}`);
  }
  if (algorithm === "RS256" && fromBase64url(String(jwk.n)).length < 256) {
    throw appError("BAD_REQUEST", "invalid_input", "RS256 keys must have at least 2048 bits");
  }
  return publicJwk;
}

export type CreateSigningKeyInput = z.infer<Create["input"]>;

/**
 * Registers the host's identity provider: its JWKS URL must be one Tenantry may fetch and must answer
 * with keys now (so a typo is a 400, not a silent 401 later), and no other live issuer anywhere may
 * take the same `iss` and `aud`, so a token names exactly one workspace.
 */
async function issuerValues(
  sc: { db: Database; jwks: JwksKeys },
  input: Extract<CreateSigningKeyInput, { type: "jwks" }>,
): Promise<Partial<SigningKeyRow>> {
  const claims: IssuerClaims = { ...DEFAULT_ISSUER_CLAIMS };
  for (const [key, path] of Object.entries(input.claims ?? {})) {
    if (path) claims[key as keyof IssuerClaims] = path;
  }
  try {
    await sc.jwks.load(input.jwksUrl);
  } catch (error) {
    if (!(error instanceof JwksError)) throw error;
    throw appError("BAD_REQUEST", "invalid_input", `jwksUrl: ${error.message}`);
  }
  const [taken] = await sc.db
    .select({ id: signingKeys.id })
    .from(signingKeys)
    .where(
      and(
        eq(signingKeys.issuer, input.issuer),
        eq(signingKeys.audience, input.audience),
        isNull(signingKeys.revokedAt),
        isNotNull(signingKeys.jwksUrl),
      ),
    )
    .limit(1);
  if (taken) {
    throw appError(
      "CONFLICT",
      "conflict",
      `An issuer with iss "${input.issuer}" and aud "${input.audience}" is registered already; revoke it first or use another audience`,
    );
  }
  return { issuer: input.issuer, jwksUrl: input.jwksUrl, audience: input.audience, claims };
}

/** An issuer (`type: "jwks"`) needs the request's JWKS keys as well, to check its URL answers. */
export async function createSigningKey(
  sc: ServiceContext & Partial<Pick<Context, "jwks">>,
  input: CreateSigningKeyInput,
): Promise<z.infer<Create["output"]>> {
  const id = newId("sk");
  const workspaceId = sc.actor.workspaceId;
  let secret: string | null = null;
  let values: Partial<SigningKeyRow>;
  let algorithm: SigningAlgorithm | null;
  if (input.type === "jwks") {
    if (!sc.jwks) throw new Error("createSigningKey: an issuer needs the context's JWKS keys");
    values = await issuerValues({ db: sc.db, jwks: sc.jwks }, input);
    algorithm = null;
  } else if (!("publicJwk" in input)) {
    secret = base64url(randomBytes(32));
    values = { secretSealed: await sc.keyring.seal(secret, signingSecretAad(workspaceId, id)) };
    algorithm = "HS256";
  } else {
    values = { publicJwk: await checkPublicJwk(input.algorithm, input.publicJwk) };
    algorithm = input.algorithm;
  }
  const name = input.name ?? (algorithm ? `${algorithm} key` : `Issuer ${values.issuer}`.slice(0, 100));
  return sc.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(signingKeys)
      .values({ ...values, workspaceId, id, name, algorithm, purpose: "host" })
      .returning();
    const summary = toSummary(row!);
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "signing_key.created",
      targetType: "signing_key",
      targetId: id,
      after: { ...summary },
    });
    return { ...summary, secret };
  });
}

export async function listSigningKeys(ctx: ServiceContext): Promise<SigningKeySummary[]> {
  const rows = await ctx.db
    .select()
    .from(signingKeys)
    .where(eq(signingKeys.workspaceId, ctx.actor.workspaceId))
    .orderBy(desc(signingKeys.id));
  return rows.map(toSummary);
}

/** Revoked at once: every process looks the key up on every verification. */
export async function revokeSigningKey(
  sc: ServiceContext,
  { id }: z.infer<typeof signingKeysContract.revoke.input>,
): Promise<SigningKeySummary> {
  return sc.db.transaction(async (tx) => {
    const [row] = await tx
      .update(signingKeys)
      .set({ revokedAt: sql`coalesce(${signingKeys.revokedAt}, now())` })
      .where(and(eq(signingKeys.workspaceId, sc.actor.workspaceId), eq(signingKeys.id, id)))
      .returning();
    if (!row) throw notFound("Signing key", id);
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "signing_key.revoked",
      targetType: "signing_key",
      targetId: id,
      after: { revokedAt: row.revokedAt?.toISOString() },
    });
    return toSummary(row);
  });
}

/** A live key by its id (the token's `kid`), in whatever workspace it belongs to. */
export async function findLiveSigningKey(db: Executor, id: string): Promise<SigningKeyRow | undefined> {
  const [row] = await db
    .select()
    .from(signingKeys)
    .where(and(eq(signingKeys.id, id), isNull(signingKeys.revokedAt)))
    .limit(1);
  return row;
}

/**
 * The HMAC key of an HS256 signing key: the UTF-8 bytes of the secret string exactly as shown, which is
 * what every JWT library (jsonwebtoken, jose with TextEncoder, PyJWT, golang-jwt) signs with.
 */
export async function openSigningSecret(keyring: Keyring, row: SigningKeyRow): Promise<Uint8Array> {
  if (!row.secretSealed) throw new Error(`signing key ${row.id} has no secret`);
  const secret = await keyring.open(row.secretSealed, signingSecretAad(row.workspaceId, row.id));
  return new TextEncoder().encode(secret);
}

/** Tenantry's own HS256 key for minting test-tenant tokens: created on first use, one per workspace. */
export async function testTenantSigningKey(sc: ServiceContext): Promise<SigningKeyRow> {
  const find = async (db: Executor) => {
    const [row] = await db
      .select()
      .from(signingKeys)
      .where(
        and(
          eq(signingKeys.workspaceId, sc.actor.workspaceId),
          eq(signingKeys.purpose, "test_tenant"),
          isNull(signingKeys.revokedAt),
        ),
      )
      .limit(1);
    return row;
  };
  const existing = await find(sc.db);
  if (existing) return existing;
  await sc.db.transaction(async (tx) => {
    // One creator at a time per workspace, across processes.
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`test-tenant-key:${sc.actor.workspaceId}`}))`,
    );
    if (await find(tx)) return;
    const id = newId("sk");
    const secret = base64url(randomBytes(32));
    await tx.insert(signingKeys).values({
      workspaceId: sc.actor.workspaceId,
      id,
      name: "Test tenant tokens",
      algorithm: "HS256",
      purpose: "test_tenant",
      secretSealed: await sc.keyring.seal(secret, signingSecretAad(sc.actor.workspaceId, id)),
    });
  });
  return (await find(sc.db))!;
}
