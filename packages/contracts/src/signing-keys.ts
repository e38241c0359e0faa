import { z } from "zod";
import { mutation, query } from "./procedures.js";

export const SIGNING_ALGORITHMS = ["HS256", "ES256", "EdDSA", "RS256"] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export const summary = z.object({
  id: z.string().describe("The `kid` tokens carry."),
  name: z.string(),
  algorithm: z.enum(SIGNING_ALGORITHMS),
  purpose: z.enum(["host", "test_tenant"]),
  publicJwk: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const name = z.string().trim().min(1).max(100).optional();

export const signingKeysContract = {
  create: mutation({
    input: z.discriminatedUnion("algorithm", [
      z.strictObject({ algorithm: z.literal("HS256"), name }),
      z.strictObject({
        algorithm: z.enum(["ES256", "EdDSA", "RS256"]),
        name,
        publicJwk: z
          .record(z.string(), z.unknown())
          .describe("The public key as JWK; the private key stays with you."),
      }),
    ]),
    output: summary.extend({ secret: z.string().nullable().describe("HS256 only, shown this once.") }),
  }),
  list: query({ input: z.strictObject({}).optional(), output: z.object({ items: z.array(summary) }) }),
  revoke: mutation({ input: z.strictObject({ id: z.string().max(100) }), output: summary }),
};
