import type { TokenEndpointAuthMethod } from "@tenantry/contracts/apps";
import type { AppOAuth2Settings, apps } from "@tenantry/db/schema/connections";
import * as oauth from "oauth4webapi";
import { clientSecretAad } from "../apps/service";
import type { Keyring } from "../secrets/keyring";

/**
 * The HTTP side of OAuth 2.0 against a provider, by oauth4webapi: code exchange, refresh
 * (RFC 6749 §4.1.3, §6) and revocation (RFC 7009). The client authenticates at the token endpoint the
 * way its app says (`client_secret_basic` unless told otherwise). Every call has a deadline, so a
 * hanging provider cannot hold a connection's lock forever.
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

/** An app's OAuth client: its settings and, unless it is a public client, its secret. */
export interface OAuthClient {
  settings: AppOAuth2Settings;
  clientSecret: string | null;
}

export const authMethodOf = (settings: AppOAuth2Settings): TokenEndpointAuthMethod =>
  settings.tokenEndpointAuthMethod ?? "client_secret_basic";

/** The client of an OAuth2 app, or null when its settings are incomplete (a confidential client without a secret). */
export async function oauthClientOf(
  keyring: Keyring,
  app: typeof apps.$inferSelect,
): Promise<OAuthClient | null> {
  if (!app.oauth2) return null;
  if (authMethodOf(app.oauth2) === "none") return { settings: app.oauth2, clientSecret: null };
  if (!app.clientSecretSealed) return null;
  return {
    settings: app.oauth2,
    clientSecret: await keyring.open(app.clientSecretSealed, clientSecretAad(app)),
  };
}

function clientAuthentication(client: OAuthClient): oauth.ClientAuth {
  const method = authMethodOf(client.settings);
  if (method === "none") return oauth.None();
  // A confidential client always has a secret (oauthClientOf); an empty one would be refused there.
  const secret = client.clientSecret ?? "";
  return method === "client_secret_post" ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
}

/**
 * oauth4webapi's view of the provider. Only the endpoints matter here: the issuer is never compared,
 * because Tenantry asks for no ID token and sends no `iss` expectations.
 */
function authorizationServerOf(client: OAuthClient): oauth.AuthorizationServer {
  return {
    issuer: new URL(client.settings.tokenUrl).origin,
    token_endpoint: client.settings.tokenUrl,
    ...(client.settings.revokeUrl ? { revocation_endpoint: client.settings.revokeUrl } : {}),
  };
}

/**
 * Tenantry asks for API access, not for a sign-in: it keeps no ID token, so it does not judge one.
 * A provider that adds one (an app whose scopes include `openid`) would otherwise have it checked
 * against an issuer Tenantry does not know (the token URL's origin is often not the issuer), and a
 * good token response refused. Only a successful JSON answer carrying `id_token` is rewritten.
 */
async function withoutIdToken(response: Response): Promise<Response> {
  if (response.status !== 200 || !response.headers.get("content-type")?.includes("json")) return response;
  const text = await response.text();
  // The body is rewritten, so its length and (already undone) encoding no longer describe it.
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new Response(text, { status: response.status, headers });
  }
  if (body && typeof body === "object" && "id_token" in body)
    delete (body as { id_token?: unknown }).id_token;
  return new Response(JSON.stringify(body), { status: response.status, headers });
}

/**
 * Runs one request and its processing, turning every failure into a `ProviderError`. The fetch is
 * wrapped to learn the answer's status, which decides outage (none, or 5xx) from refusal (4xx).
 */
async function call<T>(
  work: (options: oauth.TokenEndpointRequestOptions) => Promise<Response>,
  process: (response: Response) => Promise<T>,
): Promise<T> {
  let status: number | null = null;
  const options: oauth.TokenEndpointRequestOptions = {
    // App endpoints may be http (a provider on the host's own network, the loopback provider in tests).
    [oauth.allowInsecureRequests]: true,
    [oauth.customFetch]: async (url, init) => {
      const response = await fetch(url, init);
      status = response.status;
      return withoutIdToken(response);
    },
    signal: () => AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
  };
  let response: Response;
  try {
    response = await work(options);
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    throw new ProviderError(
      "unavailable",
      null,
      timedOut ? "The provider did not answer in time" : "The provider could not be reached",
    );
  }
  try {
    return await process(response);
  } catch (error) {
    throw providerErrorOf(error, status ?? response.status);
  }
}

function providerErrorOf(error: unknown, status: number): ProviderError {
  if (status >= 500) return new ProviderError("unavailable", null, `The provider answered ${status}`);
  if (error instanceof oauth.ResponseBodyError) {
    const description = error.error_description ? `: ${error.error_description}` : "";
    return new ProviderError(
      error.error === "invalid_grant" ? "invalid_grant" : "refused",
      error.error,
      `The provider refused the request (${error.error}${description})`.slice(0, 500),
    );
  }
  if (status >= 400) {
    return new ProviderError("refused", null, `The provider refused the request (${status})`);
  }
  // A 2xx answer that is not a token response (no access token, not JSON, an unknown token type).
  return new ProviderError("unavailable", null, "The provider's answer was not a usable token response");
}

/** What we keep of a token endpoint's answer; `now` is when it arrived (the caller's clock). */
function storedTokensOf(answer: oauth.TokenEndpointResponse, now: Date): StoredTokens {
  return {
    type: "oauth2",
    accessToken: answer.access_token,
    // oauth4webapi lower-cases the type; the scheme is written "Bearer" (or "DPoP") in headers.
    tokenType: answer.token_type === "dpop" ? "DPoP" : "Bearer",
    refreshToken: answer.refresh_token ?? null,
    scope: answer.scope ?? null,
    obtainedAt: now.toISOString(),
    expiresAt:
      typeof answer.expires_in === "number" && answer.expires_in > 0
        ? new Date(now.getTime() + answer.expires_in * 1000).toISOString()
        : null,
  };
}

export function exchangeAuthorizationCode(
  client: OAuthClient,
  request: { code: string; state: string; redirectUri: string; codeVerifier: string; now: () => Date },
): Promise<StoredTokens> {
  const as = authorizationServerOf(client);
  const oauthClient: oauth.Client = { client_id: client.settings.clientId };
  return call(
    (options) => {
      // The state was checked (opened and claimed) before this; here it only brands the parameters.
      const callback = oauth.validateAuthResponse(
        as,
        oauthClient,
        new URLSearchParams({ code: request.code, state: request.state }),
        oauth.skipStateCheck,
      );
      return oauth.authorizationCodeGrantRequest(
        as,
        oauthClient,
        clientAuthentication(client),
        callback,
        request.redirectUri,
        request.codeVerifier,
        options,
      );
    },
    async (response) =>
      storedTokensOf(await oauth.processAuthorizationCodeResponse(as, oauthClient, response), request.now()),
  );
}

/** A provider that does not rotate answers without a refresh token: the old one stays valid. */
export async function refreshAccessToken(
  client: OAuthClient,
  refreshToken: string,
  now: () => Date,
): Promise<StoredTokens> {
  const as = authorizationServerOf(client);
  const oauthClient: oauth.Client = { client_id: client.settings.clientId };
  const tokens = await call(
    (options) =>
      oauth.refreshTokenGrantRequest(as, oauthClient, clientAuthentication(client), refreshToken, options),
    async (response) =>
      storedTokensOf(await oauth.processRefreshTokenResponse(as, oauthClient, response), now()),
  );
  return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
}

/** RFC 7009: the provider answers 200 whether or not it knew the token. */
export async function revokeToken(
  client: OAuthClient,
  token: string,
  hint: "refresh_token" | "access_token",
): Promise<void> {
  const as = authorizationServerOf(client);
  const oauthClient: oauth.Client = { client_id: client.settings.clientId };
  await call(
    (options) =>
      oauth.revocationRequest(as, oauthClient, clientAuthentication(client), token, {
        ...options,
        additionalParameters: { token_type_hint: hint },
      }),
    (response) => oauth.processRevocationResponse(response),
  );
}
