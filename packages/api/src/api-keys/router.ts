import { apiKeysContract } from "@tenantry/contracts/api-keys";
import { procedure, router, WORKSPACE } from "../trpc";
import { createWorkspaceApiKey, listApiKeys, revokeApiKey } from "./service";

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
    .mutation(({ ctx, input }) => createWorkspaceApiKey(ctx, input)),

  list: procedure
    .meta({ access: WORKSPACE, rest: { method: "GET", path: "/api-keys", tags, summary: "List API keys" } })
    .input(apiKeysContract.list.input)
    .output(apiKeysContract.list.output)
    .query(async ({ ctx }) => ({ items: await listApiKeys(ctx) })),

  revoke: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "DELETE", path: "/api-keys/{id}", tags, summary: "Revoke an API key at once" },
    })
    .input(apiKeysContract.revoke.input)
    .output(apiKeysContract.revoke.output)
    .mutation(({ ctx, input }) => revokeApiKey(ctx, input)),
});
