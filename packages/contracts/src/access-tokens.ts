import { z } from "zod";
import { membershipSchema } from "./members.js";
import { mutation, query } from "./procedures.js";
import { tenantSchema } from "./tenants.js";

export const accessTokensContract = {
  me: query({
    input: z.strictObject({ tenantId: z.string().min(1).max(200).optional() }).optional(),
    output: z.object({
      tenant: tenantSchema,
      member: membershipSchema.nullable(),
      permissions: z.array(z.string()),
    }),
  }),
  introspect: mutation({
    input: z.strictObject({ token: z.string().max(16 * 1024) }),
    output: z.union([
      z.object({ active: z.literal(false) }),
      z.object({
        active: z.literal(true),
        sub: z.string(),
        tenantId: z.string().nullable(),
        exp: z.number(),
        iat: z.number().nullable(),
        scope: z.string().nullable(),
        userId: z.string().nullable().describe("The Tenantry user the token acts as."),
        externalUserId: z.string().nullable().describe("The token's `user.id`: the host's id for the user."),
        kid: z.string(),
        tokenType: z.literal("access_token"),
      }),
    ]),
  }),
};
