// The package's public entry: the typed API client and the access-token helper.

export type { AppErrorCode, InputIssue } from "@tenantry/contracts/errors";
export type { TenantryRouter } from "@tenantry/contracts/router";
export type { SignAccessTokenOptions, SigningKey } from "./access-tokens.js";
export { MAX_TOKEN_LIFETIME_SECONDS, signAccessToken } from "./access-tokens.js";
export type { TenantryClient, TenantryClientOptions } from "./client.js";
export { createTenantryClient } from "./client.js";
export { TenantryClientError } from "./errors.js";
