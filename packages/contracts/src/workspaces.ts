import { z } from "zod";
import { jsonObject } from "./json.js";
import { mutation, query } from "./procedures.js";

/** An exact browser origin: scheme, host and port, no path. */
export const originSchema = z
  .string()
  .max(300)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
    } catch {
      return false;
    }
  }, "must be an origin such as https://app.example.com (scheme, host and port, no path or trailing slash)");

export const allowedOriginsInput = z.array(originSchema).max(100);

export const testTenantFields = {
  internalId: z.string().trim().min(1).max(255),
  name: z.string().trim().min(1).max(200),
};

export const testTenantSchema = z.object({ ...testTenantFields, fields: z.record(z.string(), z.unknown()) });

export const workspacesContract = {
  getTestTenant: query({ input: z.strictObject({}).optional(), output: testTenantSchema }),
  putTestTenant: mutation({
    input: z.strictObject({
      ...testTenantFields,
      fields: jsonObject("Field values its tokens carry.", { maxBytes: 16 * 1024 }).default({}),
    }),
    output: testTenantSchema,
  }),
  mintTestTenantToken: mutation({
    input: z.strictObject({
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
    output: z.object({ token: z.string(), expiresAt: z.string(), tenantId: z.string(), kid: z.string() }),
  }),
  getAllowedOrigins: query({
    input: z.strictObject({}).optional(),
    output: z.object({ origins: z.array(z.string()) }),
  }),
  putAllowedOrigins: mutation({
    input: z.strictObject({ origins: allowedOriginsInput }),
    output: z.object({ origins: z.array(z.string()) }),
  }),
};
