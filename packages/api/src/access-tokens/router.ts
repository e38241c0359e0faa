import { accessTokensContract } from "@tenantry/contracts/access-tokens";
import { PERMISSIONS } from "@tenantry/contracts/permissions";
import { getMembership } from "../members/memberships";
import { listPermissions } from "../permissions/service";
import { appError } from "../shared/errors";
import { getTenant } from "../tenants/reads";
import { procedure, router, WORKSPACE } from "../trpc";
import { introspectToken } from "./service";

export const accessTokensRouter = router({
  me: procedure
    .meta({
      access: { tenant: "token", permission: null },
      rest: {
        method: "GET",
        path: "/me",
        tags: ["Access tokens"],
        summary: "Who an access token is: its tenant (created on a new `sub`), member and permissions",
      },
    })
    // A workspace-wide caller (the console showing widgets for a tenant) names the tenant.
    .input(accessTokensContract.me.input)
    .output(accessTokensContract.me.output)
    .query(async ({ ctx, input }) => {
      if (ctx.actor.type !== "access_token") {
        if (!input?.tenantId) {
          throw appError(
            "FORBIDDEN",
            "forbidden",
            "/me answers for an access token; an API key has no tenant",
          );
        }
        // An API key or operator acts on any tenant of its workspace with every permission, the host's own too.
        const custom = await listPermissions(ctx);
        return {
          tenant: await getTenant(ctx, { id: input.tenantId }),
          member: null,
          permissions: [...PERMISSIONS, ...custom.map((p) => p.key)].sort(),
        };
      }
      return {
        tenant: await getTenant(ctx, { id: ctx.actor.tenantId }),
        member: ctx.actor.userId
          ? await getMembership(ctx, { tenantId: ctx.actor.tenantId, userId: ctx.actor.userId })
          : null,
        permissions: [...ctx.actor.permissions].sort(),
      };
    }),

  introspect: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/tokens/introspect",
        tags: ["Access tokens"],
        summary: "RFC 7662 token introspection: `{ active, ... }`",
      },
    })
    .input(accessTokensContract.introspect.input)
    .output(accessTokensContract.introspect.output)
    .mutation(({ ctx, input }) => introspectToken(ctx, input)),
});
