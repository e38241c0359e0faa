import { apiKeysContract } from "@tenantry/contracts/api-keys";
import { apiKeyProcedure, router } from "../trpc";
import { createApiKey, listApiKeys, revokeApiKey } from "./service";

const tags = ["API keys"];
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
    .input(apiKeysContract.create.input)
    .output(apiKeysContract.create.output)
    .mutation(({ ctx, input }) =>
      createApiKey(ctx.db, { workspaceId: ctx.actor.workspaceId, name: input.name }),
    ),

  list: apiKeyProcedure
    .meta({ callers: ["apiKey"], rest: { method: "GET", path: "/api-keys", tags, summary: "List API keys" } })
    .input(apiKeysContract.list.input)
    .output(apiKeysContract.list.output)
    .query(async ({ ctx }) => ({ items: await listApiKeys(ctx.db, ctx.actor.workspaceId) })),

  revoke: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "DELETE", path: "/api-keys/{id}", tags, summary: "Revoke an API key at once" },
    })
    .input(apiKeysContract.revoke.input)
    .output(apiKeysContract.revoke.output)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.actor.workspaceId, input.id)),
});
