import { z } from "zod";
import { APP_AUTH_TYPES } from "./connections.js";
import { mutation, query } from "./procedures.js";

const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);

/**
 * How Tenantry authenticates at the app's token endpoint (RFC 6749 §2.3.1, OAuth 2.0 Dynamic Client
 * Registration's names): the secret by HTTP Basic (the default), the secret in the form body, or
 * `none`, a public client that proves itself by PKCE alone and has no secret.
 */
export const TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

export const appOAuth2Input = z.strictObject({
  authorizeUrl: httpUrl,
  tokenUrl: httpUrl,
  revokeUrl: httpUrl.optional(),
  clientId: z.string().min(1).max(500),
  /** Required unless `tokenEndpointAuthMethod` is `none` (checked by the service). */
  clientSecret: z.string().min(1).max(2000).optional(),
  /** Absent means `client_secret_basic`. */
  tokenEndpointAuthMethod: z.enum(TOKEN_ENDPOINT_AUTH_METHODS).optional(),
  scopes: z.array(z.string().min(1).max(200)).max(100).default([]),
  pkce: z.literal(true).default(true),
  extraAuthorizeParams: z.record(z.string().max(100), z.string().max(1000)).optional(),
});

export const appTestRequestInput = z.strictObject({
  url: httpUrl,
  method: z.enum(["GET", "POST"]).default("GET"),
  headers: z.record(z.string().max(100), z.string().max(2000)).optional(),
});

export const createAppInput = z.strictObject({
  key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "lower-case letters, digits, - and _ (at most 63)"),
  name: z.string().trim().min(1).max(200),
  logoUrl: httpUrl.optional(),
  authType: z.enum(APP_AUTH_TYPES),
  oauth2: appOAuth2Input.optional(),
  parametersSchema: z.record(z.string(), z.unknown()).optional(),
  testRequest: appTestRequestInput.optional(),
});
export type CreateAppInput = z.infer<typeof createAppInput>;

/**
 * The OAuth settings an update may change: each optional and none defaulted, so an update changes
 * only what it names (zod applies `.default()`s even inside `.partial()`, which reset the scopes).
 */
export const appOAuth2Changes = appOAuth2Input
  .extend({ scopes: appOAuth2Input.shape.scopes.unwrap(), pkce: appOAuth2Input.shape.pkce.unwrap() })
  .partial();

/** Everything but `key` and `authType` can change; a new client secret replaces the old one. */
export const updateAppInput = z.strictObject({
  id: z.string().min(1).max(200),
  name: z.string().trim().min(1).max(200).optional(),
  logoUrl: httpUrl.nullable().optional(),
  oauth2: appOAuth2Changes.optional(),
  parametersSchema: z.record(z.string(), z.unknown()).nullable().optional(),
  testRequest: appTestRequestInput.nullable().optional(),
});
export type UpdateAppInput = z.infer<typeof updateAppInput>;

export const appRefInput = z.strictObject({ id: z.string().min(1).max(200) });

/** An app as read: the OAuth2 settings without the client secret, which is write-only. */
export const appSchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  logoUrl: z.string().nullable(),
  authType: z.enum(APP_AUTH_TYPES),
  oauth2: z
    .object({
      authorizeUrl: z.string(),
      tokenUrl: z.string(),
      revokeUrl: z.string().optional(),
      clientId: z.string(),
      tokenEndpointAuthMethod: z.enum(TOKEN_ENDPOINT_AUTH_METHODS),
      scopes: z.array(z.string()),
      pkce: z.boolean(),
      extraAuthorizeParams: z.record(z.string(), z.string()).optional(),
      hasClientSecret: z.boolean(),
    })
    .nullable(),
  parametersSchema: z.record(z.string(), z.unknown()).nullable(),
  testRequest: appTestRequestInput.nullable(),
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type App = z.infer<typeof appSchema>;

export const appListSchema = z.object({ items: z.array(appSchema) });

/** What a tenant's widget sees of an app: enough to show and connect it, nothing of its OAuth client. */
export const catalogAppSchema = appSchema.pick({
  id: true,
  key: true,
  name: true,
  logoUrl: true,
  authType: true,
  parametersSchema: true,
});
export type CatalogApp = z.infer<typeof catalogAppSchema>;
export const catalogSchema = z.object({ items: z.array(catalogAppSchema) });
export const catalogInput = z.strictObject({ tenantId: z.string().min(1).max(200) });

export const appsContract = {
  create: mutation({ input: createAppInput, output: appSchema }),
  get: query({ input: appRefInput, output: appSchema }),
  list: query({ input: z.strictObject({}).optional(), output: appListSchema }),
  update: mutation({ input: updateAppInput, output: appSchema }),
  archive: mutation({ input: appRefInput, output: appSchema }),
  catalog: query({ input: catalogInput, output: catalogSchema }),
};
