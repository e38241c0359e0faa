import { z } from "zod";
import { mutation, query } from "./procedures.js";

export const apiKeySummary = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const apiKeysContract = {
  create: mutation({
    input: z.strictObject({ name: z.string().trim().min(1).max(100) }),
    output: z.object({
      id: z.string(),
      name: z.string(),
      prefix: z.string(),
      key: z.string(),
      createdAt: z.string(),
    }),
  }),
  list: query({ input: z.strictObject({}).optional(), output: z.object({ items: z.array(apiKeySummary) }) }),
  revoke: mutation({ input: z.strictObject({ id: z.string().max(100) }), output: apiKeySummary }),
};
