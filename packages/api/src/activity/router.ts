import { activityContract } from "@tenantry/contracts/activity";
import { notFound } from "../shared/errors";
import { getTenant } from "../tenants/reads";
import { procedure, router, WORKSPACE } from "../trpc";
import { listTenantActivity } from "./service";

export const activityRouter = router({
  listForTenant: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/activity",
        tags: ["Activity"],
        summary: "A tenant's activity log, newest first (kept after the tenant is deleted)",
      },
    })
    .input(activityContract.listForTenant.input)
    .output(activityContract.listForTenant.output)
    .query(async ({ ctx, input }) => {
      const page = await listTenantActivity(ctx.db, { workspaceId: ctx.actor.workspaceId, ...input });
      if (page.items.length === 0 && !input.cursor) {
        // A deleted tenant keeps its history; an id that never existed is a 404.
        await getTenant(ctx, { id: input.tenantId }).catch(() => {
          throw notFound("Tenant", input.tenantId);
        });
      }
      return page;
    }),
});
