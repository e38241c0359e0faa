import { authenticateAccessToken } from "../access-tokens/service";
import type { Actor } from "../actor";
import { authenticateApiKey } from "../api-keys/service";
import type { Context } from "../context";
import { authenticateOperator } from "../operators/sessions";
import { appError } from "../shared/errors";

const MISSING = "Missing credentials: send `Authorization: Bearer <API key or access token>` or `x-api-key`";

/** `since`: the call's invalidation cache position (see Context), so its cached reads share a fence. */
export async function authenticateApiKeyOnly(ctx: Context, since?: number): Promise<Actor> {
  const presented = ctx.credentials.apiKey ?? ctx.credentials.bearer;
  // Credentials sent on purpose win over a cookie the browser happens to carry.
  if (!presented && ctx.credentials.session) return authenticateOperator(ctx);
  if (!presented) throw appError("UNAUTHORIZED", "unauthorized", MISSING);
  if (looksLikeJwt(presented) && ctx.credentials.bearer && !ctx.credentials.apiKey) {
    throw appError("FORBIDDEN", "forbidden", "This call needs an API key; access tokens cannot make it");
  }
  const actor = await authenticateApiKey(ctx.db, presented, ctx.clock.now(), since);
  if (!actor) throw appError("UNAUTHORIZED", "unauthorized", "Invalid, expired or revoked API key");
  return actor;
}

export async function authenticateAny(ctx: Context, since?: number): Promise<Actor> {
  const { apiKey, bearer } = ctx.credentials;
  if (apiKey || (bearer && !looksLikeJwt(bearer))) return authenticateApiKeyOnly(ctx, since);
  if (!bearer && ctx.credentials.session) return authenticateOperator(ctx);
  if (!bearer) throw appError("UNAUTHORIZED", "unauthorized", MISSING);
  return authenticateAccessToken(ctx, bearer, since);
}

/** Three dot-separated parts: an access token. Anything else presented as a bearer is taken as an API key. */
function looksLikeJwt(value: string): boolean {
  return value.split(".").length === 3;
}
