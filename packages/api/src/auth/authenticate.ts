import { authenticateAccessToken } from "../access-tokens/service";
import type { Actor } from "../actor";
import { API_KEY_PATTERN, authenticateApiKey } from "../api-keys/service";
import type { Context } from "../context";
import { appError } from "../shared/errors";

const MISSING = "Missing credentials: send `Authorization: Bearer <API key or access token>` or `x-api-key`";

export async function authenticateApiKeyOnly(ctx: Context): Promise<Actor> {
  const presented = ctx.credentials.apiKey ?? ctx.credentials.bearer;
  if (!presented) throw appError("UNAUTHORIZED", "unauthorized", MISSING);
  if (!API_KEY_PATTERN.test(presented) && ctx.credentials.bearer && !ctx.credentials.apiKey) {
    throw appError("FORBIDDEN", "forbidden", "This call needs an API key; access tokens cannot make it");
  }
  const actor = await authenticateApiKey(ctx.db, presented);
  if (!actor) throw appError("UNAUTHORIZED", "unauthorized", "Invalid, expired or revoked API key");
  return actor;
}

export async function authenticateAny(ctx: Context): Promise<Actor> {
  const { apiKey, bearer } = ctx.credentials;
  if (apiKey || (bearer && API_KEY_PATTERN.test(bearer))) return authenticateApiKeyOnly(ctx);
  if (!bearer) throw appError("UNAUTHORIZED", "unauthorized", MISSING);
  return authenticateAccessToken(ctx, bearer);
}
