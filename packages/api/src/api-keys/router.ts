import { apiKeysContract } from "@tenantry/contracts/api-keys";
import { procedure, router, WORKSPACE } from "../trpc";
import { createApiKey, listApiKeys, revokeApiKey } from "./service";

const tags = ["API keys"];
export const apiKeysRouter = router({
  create: procedure
    .meta({
      access: WORKSPACE,
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

  list: procedure
    .meta({ access: WORKSPACE, rest: { method: "GET", path: "/api-keys", tags, summary: "List API keys" } })
    .input(apiKeysContract.list.input)
    .output(apiKeysContract.list.output)
    .query(async ({ ctx }) => ({ items: await listApiKeys(ctx.db, ctx.actor.workspaceId) })),

  revoke: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "DELETE", path: "/api-keys/{id}", tags, summary: "Revoke an API key at once" },
    })
    .input(apiKeysContract.revoke.input)
    .output(apiKeysContract.revoke.output)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.actor.workspaceId, input.id)),
});
