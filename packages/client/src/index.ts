// The package's public entry: the typed API client, the access-token helper and webhook verification.

export type { AppErrorCode, InputIssue } from "@tenantry/contracts/errors";
export type { TenantryRouter } from "@tenantry/contracts/router";
export type { SignAccessTokenOptions, SigningKey } from "./access-tokens.js";
export { MAX_TOKEN_LIFETIME_SECONDS, signAccessToken } from "./access-tokens.js";
export type { TenantryClient, TenantryClientOptions } from "./client.js";
export { createTenantryClient } from "./client.js";
export { TenantryClientError } from "./errors.js";
export type { EventOf, EventType, TenantryEvent, WebhookHeaders } from "./webhooks.js";
export { isEvent, verifyWebhook, WebhookVerificationError } from "./webhooks.js";
