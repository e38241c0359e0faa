import { z } from "zod";
import { PERMISSIONS } from "../auth/permissions";
import { membershipSchema } from "../members/router";
import { getMembership } from "../members/service";
import { appError } from "../shared/errors";
import { tenantSchema } from "../tenants/schemas";
import { getTenant } from "../tenants/service";
import { apiKeyProcedure, router, tenantProcedure } from "../trpc";
import { introspectToken } from "./service";

export const accessTokensRouter = router({
  me: tenantProcedure
    .meta({
      callers: ["accessToken"],
      rest: {
        method: "GET",
        path: "/me",
        tags: ["Access tokens"],
        summary: "Who an access token is: its tenant (created on a new `sub`), member and permissions",
      },
    })
    // A workspace-wide caller (the console showing widgets for a tenant) names the tenant.
    .input(z.strictObject({ tenantId: z.string().min(1).max(200).optional() }).optional())
    .output(
      z.object({
        tenant: tenantSchema,
        member: membershipSchema.nullable(),
        permissions: z.array(z.string()),
      }),
    )
    .query(async ({ ctx, input }) => {
      if (ctx.actor.type !== "access_token") {
        if (!input?.tenantId) {
          throw appError(
            "FORBIDDEN",
            "forbidden",
            "/me answers for an access token; an API key has no tenant",
          );
        }
        // An API key or operator acts on any tenant of its workspace with every permission.
        return {
          tenant: await getTenant(ctx.db, ctx.actor.workspaceId, input.tenantId),
          member: null,
          permissions: [...PERMISSIONS].sort(),
        };
      }
      return {
        tenant: await getTenant(ctx.db, ctx.actor.workspaceId, ctx.actor.tenantId),
        member: ctx.actor.userId
          ? await getMembership(ctx.db, ctx.actor.workspaceId, ctx.actor.tenantId, ctx.actor.userId)
          : null,
        permissions: [...ctx.actor.permissions].sort(),
      };
    }),

  introspect: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/tokens/introspect",
        tags: ["Access tokens"],
        summary: "RFC 7662 token introspection: `{ active, ... }`",
      },
    })
    .input(z.strictObject({ token: z.string().max(16 * 1024) }))
    .output(
      z.union([
        z.object({ active: z.literal(false) }),
        z.object({
          active: z.literal(true),
          sub: z.string(),
          tenantId: z.string().nullable(),
          exp: z.number(),
          iat: z.number().nullable(),
          scope: z.string().nullable(),
          userId: z.string().nullable().describe("The Tenantry user the token acts as."),
          externalUserId: z
            .string()
            .nullable()
            .describe("The token's `user.id`: the host's id for the user."),
          kid: z.string(),
          tokenType: z.literal("access_token"),
        }),
      ]),
    )
    .mutation(({ ctx, input }) => introspectToken(ctx, ctx.actor.workspaceId, input.token)),
});
