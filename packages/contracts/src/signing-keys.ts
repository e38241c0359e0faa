import { z } from "zod";
import { mutation, query } from "./procedures.js";

export const SIGNING_ALGORITHMS = ["HS256", "ES256", "EdDSA", "RS256"] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** What a signing key is: a shared HS256 secret, a host's public JWK, or the host's identity provider. */
export const SIGNING_KEY_TYPES = ["hs256", "public_jwk", "jwks"] as const;
export type SigningKeyType = (typeof SIGNING_KEY_TYPES)[number];

/**
 * Where an issuer's tokens hold what Tenantry needs: paths into the JWT payload (`org.id` reads
 * `{"org": {"id": …}}`; a claim whose own name has dots, such as `https://example.com/org`, is
 * found by its full name first).
 */
export const DEFAULT_ISSUER_CLAIMS = {
  tenant: "org_id",
  userId: "sub",
  email: "email",
  firstName: "given_name",
  lastName: "family_name",
  tenantName: "org_name",
  permissions: "permissions",
} as const;
export type IssuerClaims = { -readonly [K in keyof typeof DEFAULT_ISSUER_CLAIMS]: string };

const claimPath = z.string().trim().min(1).max(200);

export const issuerClaims = z.strictObject({
  tenant: claimPath
    .optional()
    .describe("The tenant's id in your system (its `internalId`). Default `org_id`."),
  userId: claimPath
    .optional()
    .describe("The user's id in your system (the member's `externalId`). Default `sub`."),
  email: claimPath.optional().describe("Default `email`."),
  firstName: claimPath.optional().describe("Default `given_name`."),
  lastName: claimPath.optional().describe("Default `family_name`."),
  tenantName: claimPath
    .optional()
    .describe("The tenant's name, used when Tenantry first sees it. Default `org_name`."),
  permissions: claimPath
    .optional()
    .describe(
      "An array claim or a space-separated one such as `scope`; it narrows the member's roles, never widens them. Default `permissions`.",
    ),
});

export const summary = z.object({
  id: z.string().describe("The `kid` tokens carry (an issuer's tokens carry their provider's own)."),
  name: z.string(),
  type: z.enum(SIGNING_KEY_TYPES),
  algorithm: z
    .enum(SIGNING_ALGORITHMS)
    .nullable()
    .describe("Null for an issuer: its JWKS names the algorithms."),
  purpose: z.enum(["host", "test_tenant"]),
  publicJwk: z.record(z.string(), z.unknown()).nullable(),
  issuer: z.string().nullable(),
  jwksUrl: z.string().nullable(),
  audience: z.string().nullable(),
  claims: z
    .object({
      tenant: z.string(),
      userId: z.string(),
      email: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      tenantName: z.string(),
      permissions: z.string(),
    })
    .nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const name = z.string().trim().min(1).max(100).optional();

export const signingKeysContract = {
  create: mutation({
    input: z.discriminatedUnion("type", [
      z.strictObject({
        type: z.literal("jwks"),
        name,
        issuer: z
          .string()
          .trim()
          .min(1)
          .max(500)
          .describe("The `iss` your identity provider's tokens carry."),
        jwksUrl: z
          .url({ protocol: /^https?$/ })
          .max(2000)
          .describe("Where its public keys are (https; http only for hosts in TENANTRY_JWKS_ALLOW_HOSTS)."),
        audience: z.string().trim().min(1).max(500).describe("The `aud` its tokens must carry."),
        claims: issuerClaims.optional(),
      }),
      z.discriminatedUnion("algorithm", [
        z.strictObject({
          type: z.literal("hs256").optional(),
          algorithm: z.literal("HS256").optional(),
          name,
        }),
        z.strictObject({
          type: z.literal("public_jwk").optional(),
          algorithm: z.enum(["ES256", "EdDSA", "RS256"]),
          name,
          publicJwk: z
            .record(z.string(), z.unknown())
            .describe("The public key as JWK; the private key stays with you."),
        }),
      ]),
    ]),
    output: summary.extend({ secret: z.string().nullable().describe("HS256 only, shown this once.") }),
  }),
  list: query({ input: z.strictObject({}).optional(), output: z.object({ items: z.array(summary) }) }),
  revoke: mutation({ input: z.strictObject({ id: z.string().max(100) }), output: summary }),
};
