import { z } from "zod";
import { jsonObject } from "../shared/json";
import { apiKeyProcedure, router } from "../trpc";
import { allowedOriginsInput, getAllowedOrigins, putAllowedOrigins } from "./allowed-origins";
import { getTestTenant, mintTestTenantToken, putTestTenant } from "./test-tenant";

const tags = ["Test tenant"];

const testTenantFields = {
  internalId: z.string().trim().min(1).max(255),
  name: z.string().trim().min(1).max(200),
};
const testTenantSchema = z.object({ ...testTenantFields, fields: z.record(z.string(), z.unknown()) });

export const workspacesRouter = router({
  getTestTenant: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/test-tenant", tags, summary: "The test tenant's settings" },
    })
    .input(z.strictObject({}).optional())
    .output(testTenantSchema)
    .query(({ ctx }) => getTestTenant(ctx.db, ctx.actor.workspaceId)),

  putTestTenant: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "PUT",
        path: "/test-tenant",
        tags,
        summary: "Set the test tenant's internal id, name and fields",
      },
    })
    .input(
      z.strictObject({
        ...testTenantFields,
        fields: jsonObject("Field values its tokens carry.", { maxBytes: 16 * 1024 }).default({}),
      }),
    )
    .output(testTenantSchema)
    .mutation(({ ctx, input }) => putTestTenant(ctx, input)),

  mintTestTenantToken: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/test-tenant/token",
        status: 201,
        tags,
        summary: "Mint a short-lived access token for the test tenant",
      },
    })
    .input(
      z.strictObject({
        user: z
          .strictObject({
            id: z.string().min(1).max(255),
            email: z.email().optional(),
            firstName: z.string().max(200).optional(),
            lastName: z.string().max(200).optional(),
          })
          .optional(),
        scope: z.string().max(4000).optional(),
        expiresInSeconds: z
          .number()
          .int()
          .min(60)
          .max(24 * 60 * 60)
          .default(3600),
      }),
    )
    .output(z.object({ token: z.string(), expiresAt: z.string(), tenantId: z.string(), kid: z.string() }))
    .mutation(({ ctx, input }) => mintTestTenantToken(ctx, input)),

  getAllowedOrigins: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "GET",
        path: "/allowed-origins",
        tags: ["Workspace"],
        summary: "The browser origins widgets may call from",
      },
    })
    .input(z.strictObject({}).optional())
    .output(z.object({ origins: z.array(z.string()) }))
    .query(async ({ ctx }) => ({ origins: await getAllowedOrigins(ctx.db, ctx.actor.workspaceId) })),

  putAllowedOrigins: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "PUT",
        path: "/allowed-origins",
        tags: ["Workspace"],
        summary:
          "Replace the browser origins widgets may call from (exact origins, e.g. https://app.example.com)",
      },
    })
    .input(z.strictObject({ origins: allowedOriginsInput }))
    .output(z.object({ origins: z.array(z.string()) }))
    .mutation(async ({ ctx, input }) => ({ origins: await putAllowedOrigins(ctx, input.origins) })),
});
