import type { Database, Executor } from "@tenantry/db/database";
import { apps, connections, oauthStates } from "@tenantry/db/schema/connections";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { SystemActor } from "../actor";
import { clientSecretAad } from "../apps/service";
import { type Keyring, workspaceAad } from "../secrets/keyring";
import { base64url, randomBytes } from "../shared/crypto";
import { appError } from "../shared/errors";
import { getAllowedOrigins } from "../workspaces/allowed-origins";
import { exchangeAuthorizationCode, ProviderError } from "./provider-client";
import { sealCredentials } from "./sealed-credentials";

type AppRow = typeof apps.$inferSelect;
type ConnectionRow = typeof connections.$inferSelect;

/** How long a user has between "Connect" and the provider sending them back. */
export const STATE_TTL_MS = 10 * 60 * 1000;
const STATE_AAD = "oauth_state";
/** The PKCE verifier, sealed to its attempt (and workspace). */
export const verifierAad = (state: { workspaceId: string; id: string }) =>
  workspaceAad(state.workspaceId, `oauth_state:${state.id}:code_verifier`);
export const CALLBACK_PATH = "/oauth/callback";

export const redirectUriOf = (publicUrl: string) => `${publicUrl.replace(/\/+$/, "")}${CALLBACK_PATH}`;

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
 * Starts an authorization: a PKCE verifier sealed server-side, a single-use state row, and the
 * provider's authorize URL. The `state` parameter is the row id sealed with AES-GCM, so an altered
 * state fails to open before any lookup.
 */
export async function beginAuthorization(
  tx: Executor,
  keyring: Keyring,
  request: AuthorizationTarget & { workspaceId: string; connectionId: string; app: AppRow },
): Promise<string> {
  const settings = request.app.oauth2;
  if (!settings) throw appError("BAD_REQUEST", "invalid_input", `${request.app.name} is not an OAuth2 app`);
  const stateId = base64url(randomBytes(18));
  const codeVerifier = base64url(randomBytes(32));
  const challenge = base64url(
    new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(codeVerifier))),
  );
  await tx.insert(oauthStates).values({
    id: stateId,
    workspaceId: request.workspaceId,
    connectionId: request.connectionId,
    codeVerifierSealed: await keyring.seal(
      codeVerifier,
      verifierAad({ workspaceId: request.workspaceId, id: stateId }),
    ),
    origin: request.origin,
    returnTo: request.returnTo,
    expiresAt: new Date(Date.now() + STATE_TTL_MS),
  });
  const url = new URL(settings.authorizeUrl);
  // The app's extra parameters come first, so they can never replace the ones the flow depends on.
  for (const [name, value] of Object.entries(settings.extraAuthorizeParams ?? {})) {
    url.searchParams.set(name, value);
  }
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", settings.clientId);
  url.searchParams.set("redirect_uri", redirectUriOf(request.publicUrl));
  if (settings.scopes.length > 0) url.searchParams.set("scope", settings.scopes.join(" "));
  url.searchParams.set("state", await keyring.seal(stateId, STATE_AAD));
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}

export interface CallbackQuery {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
  errorDescription?: string | undefined;
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

async function openState(keyring: Keyring, state: string | undefined): Promise<string | null> {
  if (!state || state.length > 500) return null;
  try {
    return await keyring.open(state, STATE_AAD);
  } catch {
    return null;
  }
}

/**
 * The provider sent the browser back. The state is claimed (single use, atomically, so two
 * processes cannot both exchange it), the code exchanged with the PKCE verifier, and the tokens
 * sealed into the connection. A provider error or a failed exchange changes no connection.
 */
export async function completeAuthorization(
  db: Database,
  keyring: Keyring,
  publicUrl: string,
  query: CallbackQuery,
  requestId: string,
): Promise<CallbackResult> {
  const stateId = await openState(keyring, query.state);
  if (!stateId) return fail(400, "invalid_state", INVALID_STATE);

  if (query.error) {
    // Not claimed: the provider said no, so nothing about the attempt changes.
    const [row] = await db
      .select()
      .from(oauthStates)
      .where(
        and(eq(oauthStates.id, stateId), isNull(oauthStates.usedAt), gt(oauthStates.expiresAt, sql`now()`)),
      );
    if (!row) return fail(400, "invalid_state", INVALID_STATE);
    const described = query.errorDescription ? `: ${query.errorDescription.slice(0, 300)}` : "";
    return fail(
      400,
      "provider_error",
      `The provider did not grant access (${query.error.slice(0, 100)}${described})`,
      {
        connectionId: row.connectionId,
        origin: row.origin,
        returnTo: row.returnTo,
      },
    );
  }

  const [state] = await db
    .update(oauthStates)
    .set({ usedAt: sql`now()` })
    .where(
      and(eq(oauthStates.id, stateId), isNull(oauthStates.usedAt), gt(oauthStates.expiresAt, sql`now()`)),
    )
    .returning();
  if (!state) return fail(400, "invalid_state", INVALID_STATE);
  const target = { connectionId: state.connectionId, origin: state.origin, returnTo: state.returnTo };
  if (!query.code || query.code.length > 4000) {
    return fail(400, "invalid_input", "The provider sent no authorization code", target);
  }

  const [pair] = await db
    .select({ connection: connections, app: apps })
    .from(connections)
    .innerJoin(apps, and(eq(apps.workspaceId, connections.workspaceId), eq(apps.id, connections.appId)))
    .where(and(eq(connections.workspaceId, state.workspaceId), eq(connections.id, state.connectionId)));
  if (
    !pair ||
    pair.connection.status === "disconnected" ||
    !pair.app.oauth2 ||
    !pair.app.clientSecretSealed
  ) {
    return fail(400, "invalid_state", "This connection was removed while you were signing in", target);
  }
  const { connection, app } = pair;

  let tokens: Awaited<ReturnType<typeof exchangeAuthorizationCode>>;
  try {
    tokens = await exchangeAuthorizationCode(
      {
        settings: app.oauth2!,
        clientSecret: await keyring.open(app.clientSecretSealed!, clientSecretAad(app)),
      },
      {
        code: query.code,
        redirectUri: redirectUriOf(publicUrl),
        codeVerifier: await keyring.open(state.codeVerifierSealed, verifierAad(state)),
      },
    );
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return error.kind === "unavailable"
      ? fail(502, "provider_unavailable", `${app.name} could not be reached. Try again in a moment.`, target)
      : fail(400, "provider_error", `${app.name} refused the sign-in. ${error.message}`, target);
  }

  await storeAuthorizedTokens(db, keyring, connection, tokens, requestId);
  return { status: "connected", httpStatus: 200, ...target };
}

async function storeAuthorizedTokens(
  db: Database,
  keyring: Keyring,
  connection: ConnectionRow,
  tokens: Awaited<ReturnType<typeof exchangeAuthorizationCode>>,
  requestId: string,
): Promise<void> {
  const sealed = await sealCredentials(keyring, connection, tokens);
  const actor: SystemActor = {
    type: "system",
    workspaceId: connection.workspaceId,
    systemId: "oauth_callback",
  };
  const now = new Date();
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
      { actor, requestId },
      {
        tenantId: connection.tenantId,
        action: "connection.connected",
        targetType: "connection",
        targetId: connection.id,
        before: { status: connection.status },
        after: { status: "connected", scope: tokens.scope },
      },
    );
  });
}
