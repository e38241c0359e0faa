import { z } from "zod";
import { apiKeyProcedure, router } from "../trpc";
import { createApiKey, listApiKeys, revokeApiKey } from "./service";

const tags = ["API keys"];
const apiKeySummary = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const apiKeysRouter = router({
  create: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/api-keys",
        status: 201,
        tags,
        summary: "Create an API key (shown once)",
      },
    })
    .input(z.strictObject({ name: z.string().trim().min(1).max(100) }))
    .output(
      z.object({
        id: z.string(),
        name: z.string(),
        prefix: z.string(),
        key: z.string(),
        createdAt: z.string(),
      }),
    )
    .mutation(({ ctx, input }) =>
      createApiKey(ctx.db, { workspaceId: ctx.actor.workspaceId, name: input.name }),
    ),

  list: apiKeyProcedure
    .meta({ callers: ["apiKey"], rest: { method: "GET", path: "/api-keys", tags, summary: "List API keys" } })
    .input(z.strictObject({}).optional())
    .output(z.object({ items: z.array(apiKeySummary) }))
    .query(async ({ ctx }) => ({ items: await listApiKeys(ctx.db, ctx.actor.workspaceId) })),

  revoke: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "DELETE", path: "/api-keys/{id}", tags, summary: "Revoke an API key at once" },
    })
    .input(z.strictObject({ id: z.string().max(100) }))
    .output(apiKeySummary)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.actor.workspaceId, input.id)),
});
