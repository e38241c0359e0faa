import { z } from "zod";
import { pageInput, pageOutput } from "../shared/cursor";
import { notFound } from "../shared/errors";
import { tenantIdSchema } from "../tenants/schemas";
import { getTenant } from "../tenants/service";
import { apiKeyProcedure, router } from "../trpc";
import { listTenantActivity } from "./service";

const activitySchema = z.object({
  id: z.string(),
  tenantId: z.string().nullable(),
  actor: z.object({ type: z.string(), id: z.string() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  changes: z.object({ before: z.unknown().optional(), after: z.unknown().optional() }),
  requestId: z.string().nullable(),
  createdAt: z.string(),
});

export const activityRouter = router({
  listForTenant: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/activity",
        tags: ["Activity"],
        summary: "A tenant's activity log, newest first (kept after the tenant is deleted)",
      },
    })
    .input(
      z.strictObject({
        tenantId: tenantIdSchema,
        ...pageInput,
        action: z.string().max(100).optional().describe("Only this action, e.g. `tenant.updated`."),
      }),
    )
    .output(pageOutput(activitySchema))
    .query(async ({ ctx, input }) => {
      const page = await listTenantActivity(ctx.db, { workspaceId: ctx.actor.workspaceId, ...input });
      if (page.items.length === 0 && !input.cursor) {
        // A deleted tenant keeps its history; an id that never existed is a 404.
        await getTenant(ctx.db, ctx.actor.workspaceId, input.tenantId).catch(() => {
          throw notFound("Tenant", input.tenantId);
        });
      }
      return page;
    }),
});
