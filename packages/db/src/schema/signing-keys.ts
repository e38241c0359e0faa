import { type IssuerClaims, SIGNING_ALGORITHMS } from "@tenantry/contracts/signing-keys";
import { sql } from "drizzle-orm";
import { check, foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * Keys that verify access tokens (`kid` = id). HS256 secrets are sealed (AES-GCM); public keys are
 * kept as JWK for hosts that hold the private key themselves. Several live at once for rotation.
 * An issuer (`jwks_url` set, no `algorithm`) trusts the host's identity provider: its tokens carry
 * the provider's own `kid` and `iss`, and their keys come from the JWKS URL.
 */
export const signingKeys = pgTable(
  "signing_keys",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    name: text().notNull(),
    /** Null for an issuer, whose JWKS names each key's algorithm. */
    algorithm: text({ enum: SIGNING_ALGORITHMS }),
    secretSealed: text(),
    publicJwk: jsonb().$type<Record<string, unknown>>(),
    /** An issuer's `iss`, its JWKS URL, the `aud` its tokens must carry, and where its claims are. */
    issuer: text(),
    jwksUrl: text(),
    audience: text(),
    claims: jsonb().$type<IssuerClaims>(),
    /** `test_tenant` keys are Tenantry's own, used to mint the test tenant's tokens. */
    purpose: text({ enum: ["host", "test_tenant"] })
      .notNull()
      .default("host"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    // Verification starts from the token's `kid` alone, before the workspace is known.
    index().on(t.id),
    // An issuer's tokens are found by their `iss`.
    index().on(t.issuer),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
    check("signing_keys_algorithm_check", sql`${t.algorithm} in ('HS256', 'ES256', 'EdDSA', 'RS256')`),
    check(
      "signing_keys_material_check",
      sql`(${t.algorithm} = 'HS256' and ${t.secretSealed} is not null) or (${t.algorithm} <> 'HS256' and ${t.publicJwk} is not null) or (${t.algorithm} is null and ${t.issuer} is not null and ${t.jwksUrl} is not null and ${t.audience} is not null and ${t.claims} is not null)`,
    ),
  ],
);
