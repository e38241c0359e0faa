import type { Database, Executor } from "@tenantry/db/database";
import { apps, connections, oauthStates } from "@tenantry/db/schema/connections";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { calculatePKCECodeChallenge, generateRandomCodeVerifier } from "oauth4webapi";
import { recordActivity } from "../activity/service";
import { type Actor, actorId, type SystemActor } from "../actor";
import { type Keyring, workspaceAad } from "../secrets/keyring";
import { base64url, randomBytes } from "../shared/crypto";
import { appError } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { getAllowedOrigins } from "../workspaces/allowed-origins";
import {
  exchangeAuthorizationCode,
  oauthClientOf,
  ProviderError,
  type StoredTokens,
} from "./provider-client";
import { sealCredentials } from "./sealed-credentials";

type AppRow = typeof apps.$inferSelect;
type ConnectionRow = typeof connections.$inferSelect;

/** How long a user has between "Connect" and the provider sending them back. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** The `state` parameter sent to the provider: the attempt's id, sealed. */
const STATE_AAD = "oauth_state";
/** The `flow` parameter of the start URL: the same id, sealed for another purpose. */
const FLOW_AAD = "oauth_flow";
/** The PKCE verifier, sealed to its attempt (and workspace). */
export const verifierAad = (state: { workspaceId: string; id: string }) =>
  workspaceAad(state.workspaceId, `oauth_state:${state.id}:code_verifier`);
export const CALLBACK_PATH = "/oauth/callback";
/** Where the browser goes first: Tenantry binds the attempt to it, then sends it to the provider. */
export const START_PATH = "/oauth/start";

/**
 * What the browser-facing steps (`/oauth/start`, `/oauth/callback`) work with: no actor, because the
 * browser is not authenticated (the sealed flow or state and the binding cookie decide), and the
 * server's public URL, which the redirect URI is built from.
 */
export interface OAuthBrowserContext extends Pick<ServiceContext, "db" | "keyring" | "clock" | "requestId"> {
  publicUrl: string;
}

export const redirectUriOf = (publicUrl: string) => `${publicUrl.replace(/\/+$/, "")}${CALLBACK_PATH}`;

/**
 * The binding cookie: a random nonce only the browser that opened the start URL holds (HttpOnly, on
 * Tenantry's origin, first-party because the popup or tab navigates to Tenantry at the top level).
 * `SameSite=Lax` so it comes back on the provider's top-level redirect to the callback. On https it
 * is a `__Host-` cookie (Secure, no Domain, Path=/), so no subdomain can plant one.
 */
const BINDING_COOKIE = "tenantry_oauth_binding";
const NONCE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function bindingCookieName(publicUrl: string): string {
  return new URL(publicUrl).protocol === "https:" ? `__Host-${BINDING_COOKIE}` : BINDING_COOKIE;
}

/** The `Set-Cookie` value that gives the browser its binding nonce (as long as an attempt lives). */
export function bindingCookieHeader(publicUrl: string, nonce: string): string {
  const secure = new URL(publicUrl).protocol === "https:" ? "; Secure" : "";
  const maxAge = Math.floor(STATE_TTL_MS / 1000);
  return `${bindingCookieName(publicUrl)}=${nonce}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
}

async function bindingHashOf(nonce: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(nonce));
  return base64url(new Uint8Array(digest));
}

/** Compares two strings in time that depends only on their length, never on where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** Where the request came from: OAuth redirect URIs and the popup's target origin depend on it. */
export interface RequestOrigin {
  origin: string | null;
  publicUrl: string | null;
}

/** The redirect base and where the callback may send its result (the caller's allowed origin, or Tenantry's own). */
export interface AuthorizationTarget {
  publicUrl: string;
  origin: string | null;
  returnTo: string | null;
}

/** Checks where an authorization may return to, before anything is written. */
export async function authorizationTarget(
  db: Database,
  workspaceId: string,
  request: RequestOrigin & { returnTo?: string | undefined },
): Promise<AuthorizationTarget> {
  if (!request.publicUrl) {
    throw appError(
      "BAD_REQUEST",
      "invalid_input",
      "OAuth2 needs the server's public URL (TENANTRY_PUBLIC_URL)",
    );
  }
  const own = new URL(request.publicUrl).origin;
  const allowed = new Set([own, ...(await getAllowedOrigins(db, workspaceId))]);
  if (request.returnTo !== undefined && !allowed.has(new URL(request.returnTo).origin)) {
    throw appError(
      "BAD_REQUEST",
      "invalid_input",
      "returnTo must be on one of the workspace's allowed origins",
      {
        issues: [{ path: "returnTo", message: "is not on an allowed origin" }],
      },
    );
  }
  return {
    publicUrl: request.publicUrl,
    // A postMessage goes only to an exact allowed origin, never `*` (see docs/connections.md).
    origin: request.origin && allowed.has(request.origin) ? request.origin : own,
    returnTo: request.returnTo ?? null,
  };
}

/**
 * Starts an authorization: a PKCE verifier sealed server-side and a single-use state row naming who
 * started it. The answer is Tenantry's start URL (`/oauth/start?flow=…`), not the provider's: the
 * browser that opens it first is bound to the attempt by a cookie, and only that browser's callback
 * is accepted. The `flow` parameter is the row id sealed with AES-GCM, so an altered one fails to open
 * before any lookup.
 */
export async function beginAuthorization(
  tx: Executor,
  sc: Pick<ServiceContext, "keyring" | "clock">,
  request: AuthorizationTarget & { workspaceId: string; connectionId: string; app: AppRow; startedBy: Actor },
): Promise<string> {
  if (!request.app.oauth2) {
    throw appError("BAD_REQUEST", "invalid_input", `${request.app.name} is not an OAuth2 app`);
  }
  const stateId = base64url(randomBytes(18));
  const codeVerifier = generateRandomCodeVerifier();
  await tx.insert(oauthStates).values({
    id: stateId,
    workspaceId: request.workspaceId,
    connectionId: request.connectionId,
    codeVerifierSealed: await sc.keyring.seal(
      codeVerifier,
      verifierAad({ workspaceId: request.workspaceId, id: stateId }),
    ),
    origin: request.origin,
    returnTo: request.returnTo,
    startedByType: request.startedBy.type,
    startedById: actorId(request.startedBy),
    expiresAt: new Date(sc.clock.now().getTime() + STATE_TTL_MS),
  });
  const url = new URL(`${request.publicUrl.replace(/\/+$/, "")}${START_PATH}`);
  url.searchParams.set("flow", await sc.keyring.seal(stateId, FLOW_AAD));
  return url.toString();
}

/** The provider's authorize URL for an attempt, with PKCE S256 and the sealed state. */
async function providerAuthorizeUrl(
  keyring: Keyring,
  publicUrl: string,
  settings: NonNullable<AppRow["oauth2"]>,
  state: StateRow,
): Promise<string> {
  const challenge = await calculatePKCECodeChallenge(
    await keyring.open(state.codeVerifierSealed, verifierAad(state)),
  );
  const url = new URL(settings.authorizeUrl);
  // The app's extra parameters come first, so they can never replace the ones the flow depends on.
  for (const [name, value] of Object.entries(settings.extraAuthorizeParams ?? {})) {
    url.searchParams.set(name, value);
  }
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", settings.clientId);
  url.searchParams.set("redirect_uri", redirectUriOf(publicUrl));
  if (settings.scopes.length > 0) url.searchParams.set("scope", settings.scopes.join(" "));
  url.searchParams.set("state", await keyring.seal(state.id, STATE_AAD));
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

export interface CallbackQuery {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
  /** The binding cookie's value, if the browser sent one (a cookie, not a query parameter). */
  binding?: string | undefined;
}

/** What the callback page does with the outcome: post it to `origin` or send the browser to `returnTo`. */
export interface CallbackResult {
  status: "connected" | "error";
  httpStatus: number;
  connectionId: string | null;
  origin: string | null;
  returnTo: string | null;
  error?: { code: string; message: string };
}

const fail = (
  httpStatus: number,
  code: string,
  message: string,
  target: { connectionId: string | null; origin: string | null; returnTo: string | null } = {
    connectionId: null,
    origin: null,
    returnTo: null,
  },
): CallbackResult => ({ status: "error", httpStatus, ...target, error: { code, message } });

const INVALID_STATE =
  "This sign-in link is invalid, expired or was already used. Start connecting again from the app.";
const OTHER_BROWSER =
  "This sign-in was started in another browser, or this browser did not keep Tenantry's sign-in cookie. Start connecting again from the app, in this browser.";

type StateRow = typeof oauthStates.$inferSelect;

const targetOf = (state: StateRow) => ({
  connectionId: state.connectionId,
  origin: state.origin,
  returnTo: state.returnTo,
});

async function openSealedId(
  keyring: Keyring,
  sealed: string | undefined,
  aad: string,
): Promise<string | null> {
  if (!sealed || sealed.length > 500) return null;
  try {
    return await keyring.open(sealed, aad);
  } catch {
    return null;
  }
}

/** The attempt, while it is unused and unexpired (by the context's clock, as it was written). */
async function liveState(db: Executor, stateId: string, now: Date): Promise<StateRow | undefined> {
  const [row] = await db
    .select()
    .from(oauthStates)
    .where(and(eq(oauthStates.id, stateId), isNull(oauthStates.usedAt), gt(oauthStates.expiresAt, now)));
  return row;
}

/** Whether this browser's binding cookie is the one the attempt was bound to (constant time). */
async function boundToThisBrowser(state: StateRow, binding: string | undefined): Promise<boolean> {
  if (!state.browserBindingHash || !binding || !NONCE_PATTERN.test(binding)) return false;
  return timingSafeEqual(state.browserBindingHash, await bindingHashOf(binding));
}

/** What `GET /oauth/start` does: send the browser to the provider with its binding cookie, or show why not. */
export type StartOutcome =
  | { kind: "redirect"; location: string; nonce: string }
  | { kind: "error"; result: CallbackResult };

/**
 * The browser opened the start URL. The first browser to do so binds the attempt to itself: the
 * SHA-256 of its cookie nonce (kept if it already has one, so parallel attempts in one browser all
 * work) is written by one conditional `UPDATE`, so of two browsers racing, one wins. That browser may
 * open it again (a reload); any other is refused with `invalid_state` and changes nothing. Then the
 * browser goes to the provider's authorize URL.
 */
export async function startAuthorization(
  ctx: OAuthBrowserContext,
  request: { flow?: string | undefined; binding?: string | undefined },
): Promise<StartOutcome> {
  const { db, keyring } = ctx;
  const now = ctx.clock.now();
  const stateId = await openSealedId(keyring, request.flow, FLOW_AAD);
  if (!stateId) return { kind: "error", result: fail(400, "invalid_state", INVALID_STATE) };
  const nonce =
    request.binding && NONCE_PATTERN.test(request.binding) ? request.binding : base64url(randomBytes(32));
  const [claimed] = await db
    .update(oauthStates)
    .set({ browserBindingHash: await bindingHashOf(nonce) })
    .where(
      and(
        eq(oauthStates.id, stateId),
        isNull(oauthStates.browserBindingHash),
        isNull(oauthStates.usedAt),
        gt(oauthStates.expiresAt, now),
      ),
    )
    .returning();
  const state = claimed ?? (await liveState(db, stateId, now));
  if (!state) return { kind: "error", result: fail(400, "invalid_state", INVALID_STATE) };
  if (!claimed && !(await boundToThisBrowser(state, nonce))) {
    return { kind: "error", result: fail(400, "invalid_state", OTHER_BROWSER, targetOf(state)) };
  }
  const [pair] = await db
    .select({ connection: connections, app: apps })
    .from(connections)
    .innerJoin(apps, and(eq(apps.workspaceId, connections.workspaceId), eq(apps.id, connections.appId)))
    .where(and(eq(connections.workspaceId, state.workspaceId), eq(connections.id, state.connectionId)));
  if (!pair || pair.connection.status === "disconnected" || !pair.app.oauth2) {
    return {
      kind: "error",
      result: fail(400, "invalid_state", "This connection was removed before you signed in", targetOf(state)),
    };
  }
  return {
    kind: "redirect",
    location: await providerAuthorizeUrl(keyring, ctx.publicUrl, pair.app.oauth2, state),
    nonce,
  };
}

/**
 * The provider sent the browser back. The state must be bound to this browser (its binding cookie),
 * then it is claimed (single use, atomically, so two processes cannot both exchange it), the code
 * exchanged with the PKCE verifier, and the tokens sealed into the connection. A provider error, a
 * failed exchange or another browser changes no connection.
 */
export async function completeAuthorization(
  ctx: OAuthBrowserContext,
  query: CallbackQuery,
): Promise<CallbackResult> {
  const { db, keyring } = ctx;
  const now = ctx.clock.now();
  const stateId = await openSealedId(keyring, query.state, STATE_AAD);
  if (!stateId) return fail(400, "invalid_state", INVALID_STATE);
  const live = await liveState(db, stateId, now);
  if (!live) return fail(400, "invalid_state", INVALID_STATE);
  // Checked before anything is claimed: a state replayed from another browser changes nothing.
  if (!(await boundToThisBrowser(live, query.binding))) {
    return fail(400, "invalid_state", OTHER_BROWSER, targetOf(live));
  }

  if (query.error) {
    // Not claimed: the provider said no, so nothing about the attempt changes.
    const described = query.errorDescription ? `: ${query.errorDescription.slice(0, 300)}` : "";
    return fail(
      400,
      "provider_error",
      `The provider did not grant access (${query.error.slice(0, 100)}${described})`,
      targetOf(live),
    );
  }

  const [state] = await db
    .update(oauthStates)
    .set({ usedAt: now })
    .where(
      and(
        eq(oauthStates.id, stateId),
        eq(oauthStates.browserBindingHash, live.browserBindingHash!),
        isNull(oauthStates.usedAt),
        gt(oauthStates.expiresAt, now),
      ),
    )
    .returning();
  if (!state) return fail(400, "invalid_state", INVALID_STATE);
  const target = targetOf(state);
  if (!query.code || query.code.length > 4000) {
    return fail(400, "invalid_input", "The provider sent no authorization code", target);
  }

  const [pair] = await db
    .select({ connection: connections, app: apps })
    .from(connections)
    .innerJoin(apps, and(eq(apps.workspaceId, connections.workspaceId), eq(apps.id, connections.appId)))
    .where(and(eq(connections.workspaceId, state.workspaceId), eq(connections.id, state.connectionId)));
  const client = pair && (await oauthClientOf(keyring, pair.app));
  if (!pair || pair.connection.status === "disconnected" || !client) {
    return fail(400, "invalid_state", "This connection was removed while you were signing in", target);
  }
  const { connection, app } = pair;

  let tokens: StoredTokens;
  try {
    tokens = await exchangeAuthorizationCode(client, {
      code: query.code,
      state: query.state!,
      redirectUri: redirectUriOf(ctx.publicUrl),
      codeVerifier: await keyring.open(state.codeVerifierSealed, verifierAad(state)),
      now: () => ctx.clock.now(),
    });
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return error.kind === "unavailable"
      ? fail(502, "provider_unavailable", `${app.name} could not be reached. Try again in a moment.`, target)
      : fail(400, "provider_error", `${app.name} refused the sign-in. ${error.message}`, target);
  }

  await storeAuthorizedTokens(ctx, connection, state, tokens);
  return { status: "connected", httpStatus: 200, ...target };
}

async function storeAuthorizedTokens(
  { db, keyring, clock, requestId }: OAuthBrowserContext,
  connection: ConnectionRow,
  state: StateRow,
  tokens: StoredTokens,
): Promise<void> {
  const sealed = await sealCredentials(keyring, connection, tokens);
  const actor: SystemActor = {
    type: "system",
    workspaceId: connection.workspaceId,
    systemId: "oauth_callback",
  };
  const now = clock.now();
  await db.transaction(async (tx) => {
    await tx
      .update(connections)
      .set({
        status: "connected",
        credentialsSealed: sealed,
        accessTokenExpiresAt: tokens.expiresAt ? new Date(tokens.expiresAt) : null,
        connectedAt: now,
        lastRefreshAt: null,
        lastError: null,
        updatedAt: now,
        version: sql`${connections.version} + 1`,
      })
      .where(and(eq(connections.workspaceId, connection.workspaceId), eq(connections.id, connection.id)));
    await recordActivity(
      tx,
      { actor, requestId, clock },
      {
        tenantId: connection.tenantId,
        action: "connection.connected",
        targetType: "connection",
        targetId: connection.id,
        before: { status: connection.status },
        after: {
          status: "connected",
          scope: tokens.scope,
          // Who started the sign-in this browser finished (null for attempts begun before it was kept).
          startedBy: state.startedById ? { type: state.startedByType, id: state.startedById } : null,
        },
      },
    );
  });
}
