import { z } from "zod";
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
    .input(z.strictObject({}).optional())
    .output(
      z.object({
        tenant: tenantSchema,
        member: membershipSchema.nullable(),
        permissions: z.array(z.string()),
      }),
    )
    .query(async ({ ctx }) => {
      if (ctx.actor.type !== "access_token") {
        throw appError("FORBIDDEN", "forbidden", "/me answers for an access token; an API key has no tenant");
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
