import type { Database } from "@tenantry/db/database";
import { defaultJwksKeys, type JwksKeys } from "./access-tokens/jwks";
import { CSRF_HEADER, sessionTokenFromCookie } from "./operators/cookie";
import type { Keyring } from "./secrets/keyring";
import { type Clock, systemClock } from "./shared/clock";
import { DEFAULT_WEBHOOK_URL_POLICY, type WebhookUrlPolicy } from "./webhooks/url-policy";

/** The raw credentials a request carried; procedures decide which kind they accept. */
export interface Credentials {
  /** `Authorization: Bearer …` (an API key or an access token). */
  bearer: string | null;
  /** `x-api-key: …` */
  apiKey: string | null;
  /** The console's session cookie; it counts only with the matching CSRF header (operators/sessions). */
  session: { token: string; csrf: string | null } | null;
}

export interface Context {
  db: Database;
  /** Seals and opens secrets (credentials, secret fields, signing secrets). */
  keyring: Keyring;
  requestId: string;
  credentials: Credentials;
  /**
   * The browser origin of a cross-origin request (set by the HTTP server only when it differs from
   * Tenantry's own origin); access tokens are refused from origins their workspace does not allow.
   */
  origin: string | null;
  /** Where browsers reach this server (`TENANTRY_PUBLIC_URL`): OAuth redirect URIs are built on it. */
  publicUrl: string | null;
  /** The public keys of issuers' JWKS URLs, cached per process under the server's fetch policy. */
  jwks: JwksKeys;
  /** What services read the time from; tests pass a test clock. */
  clock: Clock;
  /** Which webhook endpoint URLs may be saved (`TENANTRY_WEBHOOK_ALLOW_HOSTS`, DNS). */
  webhookUrlPolicy: WebhookUrlPolicy;
  /**
   * Set by the procedure builder as each call begins: the invalidation cache's position then
   * (`InvalidationCache.position`), so the call's cached reads share one fence.
   */
  since?: number;
}

type HeaderValue = string | string[] | undefined | null;

function first(value: HeaderValue): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  return text?.trim() || null;
}

/** Reads credentials from request headers, whatever the transport (tRPC, REST, local link). */
export function credentialsFromHeaders(header: (name: string) => HeaderValue): Credentials {
  const authorization = first(header("authorization"));
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? null;
  return { bearer, apiKey: first(header("x-api-key")), session: sessionFromHeaders(header) };
}

function sessionFromHeaders(header: (name: string) => HeaderValue): Credentials["session"] {
  const token = sessionTokenFromCookie(first(header("cookie")));
  return token ? { token, csrf: first(header(CSRF_HEADER)) } : null;
}

export function createContext(options: {
  db: Database;
  keyring: Keyring;
  requestId?: string | null;
  header: (name: string) => HeaderValue;
  origin?: string | null;
  publicUrl?: string | null;
  jwks?: JwksKeys;
  clock?: Clock;
  webhookUrlPolicy?: WebhookUrlPolicy;
}): Context {
  return {
    db: options.db,
    keyring: options.keyring,
    requestId: options.requestId || globalThis.crypto.randomUUID(),
    credentials: credentialsFromHeaders(options.header),
    origin: options.origin ?? null,
    publicUrl: options.publicUrl ?? null,
    jwks: options.jwks ?? defaultJwksKeys(),
    clock: options.clock ?? systemClock,
    webhookUrlPolicy: options.webhookUrlPolicy ?? DEFAULT_WEBHOOK_URL_POLICY,
  };
}
