import { z } from "zod";
import { mutation, query } from "./procedures.js";

export const APP_AUTH_TYPES = ["oauth2", "api_key", "basic"] as const;
export const CONNECTION_STATUSES = ["pending", "connected", "needs_reauth", "error", "disconnected"] as const;

export const createConnectionInput = z
  .strictObject({
    tenantId: z.string().min(1).max(200),
    appId: z.string().min(1).max(200).optional(),
    appKey: z.string().min(1).max(200).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    returnTo: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
  })
  .refine((input) => (input.appId === undefined) !== (input.appKey === undefined), {
    message: "give exactly one of appId and appKey",
    path: ["appId"],
  });
export type CreateConnectionInput = z.infer<typeof createConnectionInput>;

export const connectionRefInput = z.strictObject({ id: z.string().min(1).max(200) });
export const tenantConnectionsInput = z.strictObject({ tenantId: z.string().min(1).max(200) });

/** A connection as read: never its credentials. */
export const connectionSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  appId: z.string(),
  name: z.string(),
  status: z.enum(CONNECTION_STATUSES),
  accessTokenExpiresAt: z.string().nullable(),
  connectedAt: z.string().nullable(),
  lastRefreshAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Connection = z.infer<typeof connectionSchema>;

export const createdConnectionSchema = connectionSchema.extend({ authorizationUrl: z.string().optional() });
export const reauthorizeConnectionInput = z.strictObject({
  id: z.string().min(1).max(200),
  returnTo: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
});
export const reauthorizedConnectionSchema = connectionSchema.extend({ authorizationUrl: z.string() });
export const connectionListSchema = z.object({ items: z.array(connectionSchema) });

export const credentialsSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("oauth2"),
    accessToken: z.string(),
    tokenType: z.string(),
    expiresAt: z.string().nullable(),
  }),
  z.object({ type: z.enum(["api_key", "basic"]), parameters: z.record(z.string(), z.unknown()) }),
]);
export type Credentials = z.infer<typeof credentialsSchema>;

export const connectionsContract = {
  create: mutation({ input: createConnectionInput, output: createdConnectionSchema }),
  reauthorize: mutation({ input: reauthorizeConnectionInput, output: reauthorizedConnectionSchema }),
  listForTenant: query({ input: tenantConnectionsInput, output: connectionListSchema }),
  get: query({ input: connectionRefInput, output: connectionSchema }),
  delete: mutation({ input: connectionRefInput, output: connectionSchema }),
  credentials: query({ input: connectionRefInput, output: credentialsSchema }),
};
