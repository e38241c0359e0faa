import { operatorsContract } from "@tenantry/contracts/operators";
import { procedure, router, WORKSPACE } from "../trpc";
import { listOperators } from "./service";

/** The workspace's console operators (accounts are made by the CLI or the setup screen). */
export const operatorsRouter = router({
  list: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/operators", tags: ["Operators"], summary: "The console's operators" },
    })
    .input(operatorsContract.list.input)
    .output(operatorsContract.list.output)
    .query(async ({ ctx }) => ({
      items: (await listOperators(ctx.db, ctx.actor.workspaceId)).map(
        ({ workspaceId: _, ...operator }) => operator,
      ),
    })),
});
