import type { AppOAuth2Settings } from "@tenantry/db/schema/connections";
import { base64Utf8 } from "../shared/crypto";

/**
 * The HTTP side of OAuth 2.0 against a provider: code exchange, refresh (RFC 6749 §4.1.3, §6) and
 * revocation (RFC 7009). Client authentication is HTTP Basic with form-encoded id and secret
 * (§2.3.1). Every call has a deadline, so a hanging provider cannot hold a connection's lock forever.
 */
export const PROVIDER_TIMEOUT_MS = 10_000;

/** What we keep of a token response, sealed in the connection row. */
export interface StoredTokens {
  type: "oauth2";
  accessToken: string;
  tokenType: string;
  refreshToken: string | null;
  scope: string | null;
  expiresAt: string | null;
  /** When the provider issued the access token: with `expiresAt`, its lifetime. */
  obtainedAt: string;
}

/**
 * How a provider call failed: `invalid_grant` (the grant is dead: the user must sign in again),
 * `refused` (any other OAuth error: the app's settings or the request are wrong), `unavailable`
 * (network, timeout, 5xx, or an answer that is not OAuth).
 */
export class ProviderError extends Error {
  constructor(
    readonly kind: "invalid_grant" | "refused" | "unavailable",
    readonly oauthError: string | null,
    message: string,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

interface OAuthClient {
  settings: AppOAuth2Settings;
  clientSecret: string;
}

function basicAuthorization(clientId: string, clientSecret: string): string {
  // RFC 6749 §2.3.1: each part form-encoded before joining.
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, "+");
  return `Basic ${base64Utf8(`${encode(clientId)}:${encode(clientSecret)}`)}`;
}

async function postForm(url: string, client: OAuthClient, form: Record<string, string>): Promise<Response> {
  try {
    return await fetch(url, {
      method: "POST",
      headers: {
        authorization: basicAuthorization(client.settings.clientId, client.clientSecret),
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    throw new ProviderError(
      "unavailable",
      null,
      timedOut ? "The provider did not answer in time" : "The provider could not be reached",
    );
  }
}

async function tokenRequest(client: OAuthClient, form: Record<string, string>): Promise<StoredTokens> {
  const response = await postForm(client.settings.tokenUrl, client, form);
  let body: Record<string, unknown> | null = null;
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    body = null;
  }
  if (response.status >= 500 || !body || typeof body !== "object") {
    throw new ProviderError("unavailable", null, `The provider answered ${response.status}`);
  }
  if (!response.ok || typeof body.error === "string") {
    const oauthError = typeof body.error === "string" ? body.error : null;
    const description = typeof body.error_description === "string" ? `: ${body.error_description}` : "";
    throw new ProviderError(
      oauthError === "invalid_grant" ? "invalid_grant" : "refused",
      oauthError,
      `The provider refused the request (${oauthError ?? response.status}${description})`.slice(0, 500),
    );
  }
  if (typeof body.access_token !== "string" || body.access_token.length === 0) {
    throw new ProviderError("unavailable", null, "The provider's answer carried no access token");
  }
  const expiresIn = Number(body.expires_in);
  return {
    type: "oauth2",
    accessToken: body.access_token,
    tokenType: typeof body.token_type === "string" ? body.token_type : "Bearer",
    refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : null,
    scope: typeof body.scope === "string" ? body.scope : null,
    obtainedAt: new Date().toISOString(),
    expiresAt:
      Number.isFinite(expiresIn) && expiresIn > 0
        ? new Date(Date.now() + expiresIn * 1000).toISOString()
        : null,
  };
}

export function exchangeAuthorizationCode(
  client: OAuthClient,
  request: { code: string; redirectUri: string; codeVerifier: string },
): Promise<StoredTokens> {
  return tokenRequest(client, {
    grant_type: "authorization_code",
    code: request.code,
    redirect_uri: request.redirectUri,
    code_verifier: request.codeVerifier,
  });
}

/** A provider that does not rotate answers without a refresh token: the old one stays valid. */
export async function refreshAccessToken(client: OAuthClient, refreshToken: string): Promise<StoredTokens> {
  const tokens = await tokenRequest(client, { grant_type: "refresh_token", refresh_token: refreshToken });
  return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
}

/** RFC 7009: the provider answers 200 whether or not it knew the token. */
export async function revokeToken(
  client: OAuthClient & { revokeUrl: string },
  token: string,
  hint: "refresh_token" | "access_token",
): Promise<void> {
  const response = await postForm(client.revokeUrl, client, { token, token_type_hint: hint });
  await response.body?.cancel();
  if (!response.ok) {
    throw new ProviderError(
      response.status >= 500 ? "unavailable" : "refused",
      null,
      `The provider answered ${response.status} to the revocation`,
    );
  }
}
