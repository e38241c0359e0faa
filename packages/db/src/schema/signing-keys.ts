import { SIGNING_ALGORITHMS } from "@tenantry/contracts/signing-keys";
import { sql } from "drizzle-orm";
import { check, foreignKey, index, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/**
 * Keys that verify access tokens (`kid` = id). HS256 secrets are sealed (AES-GCM); public keys are
 * kept as JWK for hosts that hold the private key themselves. Several live at once for rotation.
 */
export const signingKeys = pgTable(
  "signing_keys",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    name: text().notNull(),
    algorithm: text({ enum: SIGNING_ALGORITHMS }).notNull(),
    secretSealed: text(),
    publicJwk: jsonb().$type<Record<string, unknown>>(),
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
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
    check("signing_keys_algorithm_check", sql`${t.algorithm} in ('HS256', 'ES256', 'EdDSA', 'RS256')`),
    check(
      "signing_keys_material_check",
      sql`(${t.algorithm} = 'HS256' and ${t.secretSealed} is not null) or (${t.algorithm} <> 'HS256' and ${t.publicJwk} is not null)`,
    ),
  ],
);
