import { SIGNING_ALGORITHMS } from "@tenantry/db/schema/signing-keys";
import { z } from "zod";
import { apiKeyProcedure, router } from "../trpc";
import { createSigningKey, listSigningKeys, revokeSigningKey } from "./service";

const tags = ["Signing keys"];

const summary = z.object({
  id: z.string().describe("The `kid` tokens carry."),
  name: z.string(),
  algorithm: z.enum(SIGNING_ALGORITHMS),
  purpose: z.enum(["host", "test_tenant"]),
  publicJwk: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

const name = z.string().trim().min(1).max(100).optional();

export const signingKeysRouter = router({
  create: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/signing-keys",
        status: 201,
        tags,
        summary: "Create a token signing key: an HS256 secret (shown once) or a host's public JWK",
      },
    })
    .input(
      z.discriminatedUnion("algorithm", [
        z.strictObject({ algorithm: z.literal("HS256"), name }),
        z.strictObject({
          algorithm: z.enum(["ES256", "EdDSA", "RS256"]),
          name,
          publicJwk: z
            .record(z.string(), z.unknown())
            .describe("The public key as JWK; the private key stays with you."),
        }),
      ]),
    )
    .output(summary.extend({ secret: z.string().nullable().describe("HS256 only, shown this once.") }))
    .mutation(({ ctx, input }) => createSigningKey(ctx, input)),

  list: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/signing-keys", tags, summary: "List signing keys" },
    })
    .input(z.strictObject({}).optional())
    .output(z.object({ items: z.array(summary) }))
    .query(async ({ ctx }) => ({ items: await listSigningKeys(ctx.db, ctx.actor.workspaceId) })),

  revoke: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "DELETE",
        path: "/signing-keys/{id}",
        tags,
        summary: "Revoke a signing key; its tokens stop working on their next request",
      },
    })
    .input(z.strictObject({ id: z.string().max(100) }))
    .output(summary)
    .mutation(({ ctx, input }) => revokeSigningKey(ctx, input.id)),
});
