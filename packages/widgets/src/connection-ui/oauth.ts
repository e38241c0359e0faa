/**
 * The browser half of Tenantry's OAuth popup protocol (see docs/connections.md): the callback page
 * posts its result to the opener, or, when the popup was blocked and the whole page went to the
 * provider, redirects back with the result in the query string.
 */

export const OAUTH_MESSAGE_TYPE = "tenantry:oauth-result";
export const POPUP_NAME = "tenantry-oauth";
export const POPUP_FEATURES = "popup,width=600,height=720";

/** The query parameters the callback adds to `returnTo` after a redirect. */
const PARAM_CONNECTION = "tenantry_connection";
const PARAM_STATUS = "tenantry_status";
const PARAM_ERROR = "tenantry_error";

export interface OAuthResult {
  /** Empty when the callback could not tell which connection it was about. */
  connectionId: string;
  status: "connected" | "error";
  /** The error code (`provider_error`, `invalid_state`, …) when `status` is `error`. */
  errorCode: string | null;
}

/**
 * The result in a `message` event, or null when the event is anything else: it must come from
 * Tenantry's own origin exactly (never trust `*`) and carry the protocol's type.
 */
export function oauthResultOf(event: MessageEvent, trustedOrigin: string | null): OAuthResult | null {
  if (!trustedOrigin || event.origin !== trustedOrigin) return null;
  const data = event.data as unknown;
  if (typeof data !== "object" || data === null) return null;
  const message = data as { type?: unknown; connectionId?: unknown; status?: unknown; error?: unknown };
  if (message.type !== OAUTH_MESSAGE_TYPE) return null;
  if (message.status !== "connected" && message.status !== "error") return null;
  // A sign-in that failed before its connection was known (a replayed state) names none.
  const connectionId = typeof message.connectionId === "string" ? message.connectionId : "";
  const code = (message.error as { code?: unknown } | undefined)?.code;
  return {
    connectionId,
    status: message.status,
    errorCode: message.status === "error" ? (typeof code === "string" ? code : "provider_error") : null,
  };
}

/** The result the callback put in the page's URL after a redirect, if any. */
export function redirectResultOf(href: string): OAuthResult | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  const connectionId = url.searchParams.get(PARAM_CONNECTION);
  const status = url.searchParams.get(PARAM_STATUS);
  if (connectionId === null || (status !== "connected" && status !== "error")) return null;
  return {
    connectionId,
    status,
    errorCode: status === "error" ? (url.searchParams.get(PARAM_ERROR) ?? "provider_error") : null,
  };
}

/** The URL without the callback's parameters (everything else, the hash too, kept as it was). */
export function withoutRedirectResult(href: string): string {
  const url = new URL(href);
  for (const name of [PARAM_CONNECTION, PARAM_STATUS, PARAM_ERROR]) url.searchParams.delete(name);
  return url.toString();
}
