import { z } from "zod";
import { apiKeyProcedure, router } from "../trpc";
import { listOperators } from "./service";

const operatorSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
});

/** The workspace's console operators (accounts are made by the CLI or the setup screen). */
export const operatorsRouter = router({
  list: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/operators", tags: ["Operators"], summary: "The console's operators" },
    })
    .input(z.strictObject({}).optional())
    .output(z.object({ items: z.array(operatorSchema) }))
    .query(async ({ ctx }) => ({
      items: (await listOperators(ctx.db, ctx.actor.workspaceId)).map(
        ({ workspaceId: _, ...operator }) => operator,
      ),
    })),
});
