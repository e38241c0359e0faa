import { driverOf, type Executor, rowsOf } from "@tenantry/db/database";
import { apps, connectionRefreshAttempts, connections } from "@tenantry/db/schema/connections";
import { and, asc, eq, isNotNull, lt, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { Keyring } from "../secrets/keyring";
import type { Clock } from "../shared/clock";
import { appError } from "../shared/errors";
import { isTransaction } from "../shared/prepared";
import type { ServiceContext } from "../shared/service-context";
import {
  type OAuthClient,
  oauthClientOf,
  PROVIDER_TIMEOUT_MS,
  ProviderError,
  refreshAccessToken,
  type StoredTokens,
} from "./provider-client";
import { openCredentials, sealCredentials } from "./sealed-credentials";

type ConnectionRow = typeof connections.$inferSelect;

/** A token that expires within this margin is refreshed before it is handed out. */
export const REFRESH_MARGIN_MS = 2 * 60 * 1000;
/** The periodic refresher renews tokens this long before they expire. */
export const REFRESH_LOOKAHEAD_MS = 10 * 60 * 1000;
/** Any constant works; it names the one lock the periodic refresher takes (pg_try_advisory_xact_lock). */
const REFRESHER_LOCK_KEY = 7_311_220_421;

/** A refresh acts for someone (the caller, or the periodic refresher) and reads time from the clock. */
type RefreshContext = Pick<ServiceContext, "db" | "keyring" | "clock" | "actor" | "requestId">;

/**
 * Whether a token is due for renewal: it expires within `window`, or within half its lifetime when
 * that is shorter, so a token that lives less than the window is not refreshed on every read.
 */
export function refreshDue(tokens: StoredTokens, window: number, now: Date): boolean {
  if (tokens.expiresAt === null) return false;
  const expiresAt = Date.parse(tokens.expiresAt);
  const lifetime = tokens.obtainedAt ? expiresAt - Date.parse(tokens.obtainedAt) : Number.POSITIVE_INFINITY;
  return expiresAt - now.getTime() < Math.min(window, lifetime / 2);
}
const isExpired = (tokens: StoredTokens, clock: Clock) =>
  tokens.expiresAt !== null && Date.parse(tokens.expiresAt) <= clock.now().getTime();

/** The tokens of an OAuth2 connection row (the caller knows its app is OAuth2). */
export async function openTokens(keyring: Keyring, row: ConnectionRow): Promise<StoredTokens> {
  return (await openCredentials(keyring, row)) as StoredTokens;
}

export const needsReauth = (connectionId: string, reason?: string) =>
  appError(
    "CONFLICT",
    "needs_reauth",
    `Connection ${connectionId} needs the user to sign in to the provider again`,
    { connectionId, ...(reason ? { reason } : {}) },
  );

/**
 * Why a connection needs the user again, when a refresh interrupted by a crash is the cause: the
 * process that died had spent the refresh token (the provider rotated it) and the provider refused the
 * previous one when asked again. The connection's `lastError` starts with it.
 */
export const REFRESH_INTERRUPTED = "refresh_interrupted";

/** The reason to give with `needs_reauth` for a row that already is. */
export const needsReauthReasonOf = (row: Pick<ConnectionRow, "lastError">) =>
  row.lastError?.startsWith(`${REFRESH_INTERRUPTED}:`) ? REFRESH_INTERRUPTED : undefined;

/**
 * How long a refresh attempt is presumed alive: the provider call's deadline and time to store its
 * answer. A process that finds another's attempt waits for it at most this long, then takes it over.
 */
export const REFRESH_LEASE_MS = PROVIDER_TIMEOUT_MS + 2_000;
const POLL_MS = 50;

/** This process, as the owner of refresh attempts, and the attempts it is running. */
const PROCESS_ID = globalThis.crypto.randomUUID();
const running = new Set<string>();

/**
 * In-process single flight: concurrent reads in one process share one refresh. Across processes
 * the attempt row in `refreshWithAttempt` decides; this map only saves them from polling it.
 */
const inFlight = new Map<string, Promise<StoredTokens>>();

/** Refreshes the connection's tokens once, however many callers ask at the same moment. */
export function refreshConnection(ctx: RefreshContext, seen: ConnectionRow): Promise<StoredTokens> {
  const key = `${seen.workspaceId}:${seen.id}`;
  let flight = inFlight.get(key);
  if (!flight) {
    flight = refreshWithAttempt(ctx, seen).finally(() => inFlight.delete(key));
    inFlight.set(key, flight);
  }
  return flight;
}

type Outcome =
  | { kind: "tokens"; tokens: StoredTokens }
  | { kind: "needs_reauth"; reason?: string }
  | { kind: "failed"; code: "provider_error" | "provider_unavailable"; message: string }
  /** Someone else holds the attempt, or the row changed under this one: look again. */
  | { kind: "again" };

type Attempt = typeof connectionRefreshAttempts.$inferSelect;

async function refreshWithAttempt(ctx: RefreshContext, seen: ConnectionRow): Promise<StoredTokens> {
  // Bounded: a live holder finishes or loses its lease within REFRESH_LEASE_MS (real time here,
  // whatever the context's clock says), and a row that keeps changing is not chased forever.
  const maxRounds = Math.ceil((REFRESH_LEASE_MS * 2) / POLL_MS);
  let outcome: Outcome = { kind: "again" };
  for (let round = 0; round < maxRounds && outcome.kind === "again"; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    outcome = await refreshOnce(ctx, seen, round >= maxRounds / 2);
  }
  if (outcome.kind === "tokens") return outcome.tokens;
  if (outcome.kind === "needs_reauth") throw needsReauth(seen.id, outcome.reason);
  if (outcome.kind === "again") {
    throw appError(
      "SERVICE_UNAVAILABLE",
      "provider_unavailable",
      "Another refresh of this connection is in progress",
      {
        connectionId: seen.id,
      },
    );
  }
  throw appError(
    outcome.code === "provider_unavailable" ? "SERVICE_UNAVAILABLE" : "BAD_GATEWAY",
    outcome.code,
    outcome.message,
    { connectionId: seen.id },
  );
}

async function inTransaction<T>(executor: Executor, work: (tx: Executor) => Promise<T>): Promise<T> {
  return isTransaction(executor) ? work(executor) : executor.transaction(work);
}

const connectionWhere = (row: { workspaceId: string; id: string }) =>
  and(eq(connections.workspaceId, row.workspaceId), eq(connections.id, row.id));
const attemptWhere = (row: { workspaceId: string; id: string }, attemptId?: string) =>
  and(
    eq(connectionRefreshAttempts.workspaceId, row.workspaceId),
    eq(connectionRefreshAttempts.connectionId, row.id),
    ...(attemptId ? [eq(connectionRefreshAttempts.attemptId, attemptId)] : []),
  );

/**
 * Whether the process holding `attempt` is gone: its lease ran out, or (PGlite: one process owns the
 * data directory) it is not this process. `overdue`: this caller has waited past any live lease.
 */
function holderGone(db: Executor, attempt: Attempt, now: Date, overdue: boolean): boolean {
  if (attempt.owner === PROCESS_ID) return !running.has(attempt.attemptId);
  if (driverOf(db) !== "postgres") return true;
  return overdue || attempt.leaseUntil.getTime() <= now.getTime();
}

/**
 * Takes the connection's refresh attempt: a new one, or the one a dead process left (then
 * `interrupted`). Committed before the provider is called. Null when another live process holds it.
 */
async function takeAttempt(
  ctx: RefreshContext,
  current: ConnectionRow,
  overdue: boolean,
): Promise<Attempt | null> {
  const { db, clock } = ctx;
  const now = clock.now();
  const fresh = {
    attemptId: globalThis.crypto.randomUUID(),
    owner: PROCESS_ID,
    baseVersion: current.version,
    startedAt: now,
    leaseUntil: new Date(now.getTime() + REFRESH_LEASE_MS),
  };
  const [inserted] = await db
    .insert(connectionRefreshAttempts)
    .values({ workspaceId: current.workspaceId, connectionId: current.id, ...fresh })
    .onConflictDoNothing()
    .returning();
  if (inserted) return inserted;
  const [held] = await db.select().from(connectionRefreshAttempts).where(attemptWhere(current));
  if (!held || !holderGone(db, held, now, overdue)) return null;
  // The holder died between committing its attempt and committing the provider's answer. The
  // connection still has the refresh token it sent; it is tried again (a provider with a reuse
  // grace period accepts it), and a refusal now says why the grant was lost.
  const [taken] = await db
    .update(connectionRefreshAttempts)
    .set({ ...fresh, interrupted: held.interrupted + 1 })
    .where(attemptWhere(current, held.attemptId))
    .returning();
  return taken ?? null;
}

async function refreshOnce(ctx: RefreshContext, seen: ConnectionRow, overdue: boolean): Promise<Outcome> {
  const { db, keyring, clock } = ctx;
  const [current] = await db.select().from(connections).where(connectionWhere(seen));
  if (!current || current.status === "needs_reauth") {
    return { kind: "needs_reauth", ...(current ? { reason: needsReauthReasonOf(current) } : {}) };
  }
  if (current.status !== "connected" || !current.credentialsSealed) {
    return { kind: "failed", code: "provider_error", message: `Connection ${seen.id} is ${current.status}` };
  }
  const tokens = await openTokens(keyring, current);
  // Double-checked: another caller refreshed while this one waited.
  if (current.version !== seen.version && !isExpired(tokens, clock)) {
    return { kind: "tokens", tokens };
  }
  if (!tokens.refreshToken) {
    if (!isExpired(tokens, clock)) return { kind: "tokens", tokens };
    await markNeedsReauth(
      ctx,
      current,
      null,
      "The access token expired and the provider gave no refresh token",
    );
    return { kind: "needs_reauth" };
  }

  const [app] = await db
    .select()
    .from(apps)
    .where(and(eq(apps.workspaceId, current.workspaceId), eq(apps.id, current.appId)));
  const client = app && (await oauthClientOf(keyring, app));
  if (!app || !client) {
    return { kind: "failed", code: "provider_error", message: "The app has no OAuth2 client settings" };
  }

  const attempt = await takeAttempt(ctx, current, overdue);
  if (!attempt) return { kind: "again" };
  // Another process may have stored a refresh between the read above and taking the attempt: its
  // refresh token is then spent, and presenting it again could look like token theft to the provider.
  const [latest] = await db
    .select({ version: connections.version })
    .from(connections)
    .where(connectionWhere(current));
  if (latest?.version !== current.version) {
    await db.delete(connectionRefreshAttempts).where(attemptWhere(current, attempt.attemptId));
    return { kind: "again" };
  }
  running.add(attempt.attemptId);
  try {
    return await refreshHolding(ctx, current, tokens.refreshToken, tokens, app.name, client, attempt);
  } finally {
    running.delete(attempt.attemptId);
  }
}

/** Calls the provider while holding `attempt`, and stores what it answered. */
async function refreshHolding(
  ctx: RefreshContext,
  current: ConnectionRow,
  refreshToken: string,
  tokens: StoredTokens,
  appName: string,
  client: OAuthClient,
  attempt: Attempt,
): Promise<Outcome> {
  const { db, keyring, clock } = ctx;
  let next: StoredTokens;
  try {
    next = await refreshAccessToken(client, refreshToken, () => clock.now());
  } catch (error) {
    if (error instanceof ProviderError && error.kind === "invalid_grant") {
      if (attempt.interrupted > 0) {
        await markNeedsReauth(
          ctx,
          current,
          attempt,
          `${REFRESH_INTERRUPTED}: a refresh was cut short (the server stopped after asking the provider for new tokens and before storing them), and the provider refused the previous refresh token: ${error.message}`,
        );
        return { kind: "needs_reauth", reason: REFRESH_INTERRUPTED };
      }
      await markNeedsReauth(ctx, current, attempt, error.message);
      return { kind: "needs_reauth" };
    }
    // Nothing was issued (or nothing usable arrived): the attempt ends, the next one starts over.
    await db.delete(connectionRefreshAttempts).where(attemptWhere(current, attempt.attemptId));
    if (!(error instanceof ProviderError)) throw error;
    // A provider outage changes nothing; a token that is still valid is still worth handing out.
    if (error.kind === "unavailable" && !isExpired(tokens, clock)) return { kind: "tokens", tokens };
    return {
      kind: "failed",
      code: error.kind === "unavailable" ? "provider_unavailable" : "provider_error",
      message: `${appName}: ${error.message}`,
    };
  }

  // The provider's answer is stored at once, in one short commit with the end of the attempt: the
  // rotated refresh token and the new access token together, or not at all. Only if the row is still
  // the version the attempt started from (a reauthorization in between wins).
  const sealed = await sealCredentials(keyring, current, next);
  const now = clock.now();
  const stored = await inTransaction(db, async (tx) => {
    const updated = await tx
      .update(connections)
      .set({
        credentialsSealed: sealed,
        accessTokenExpiresAt: next.expiresAt ? new Date(next.expiresAt) : null,
        lastRefreshAt: now,
        lastError: null,
        updatedAt: now,
        version: attempt.baseVersion + 1,
      })
      .where(
        and(
          connectionWhere(current),
          eq(connections.version, attempt.baseVersion),
          eq(connections.status, "connected"),
        ),
      )
      .returning({ id: connections.id });
    await tx.delete(connectionRefreshAttempts).where(attemptWhere(current, attempt.attemptId));
    return updated.length > 0;
  });
  return stored ? { kind: "tokens", tokens: next } : { kind: "again" };
}

async function markNeedsReauth(
  acting: RefreshContext,
  current: ConnectionRow,
  attempt: Attempt | null,
  reason: string,
) {
  await inTransaction(acting.db, async (tx) => {
    const updated = await tx
      .update(connections)
      .set({
        status: "needs_reauth",
        lastError: reason.slice(0, 500),
        updatedAt: acting.clock.now(),
        version: current.version + 1,
      })
      .where(and(connectionWhere(current), eq(connections.version, current.version)))
      .returning({ id: connections.id });
    if (attempt) {
      await tx.delete(connectionRefreshAttempts).where(attemptWhere(current, attempt.attemptId));
    }
    if (updated.length === 0) return;
    await recordActivity(tx, acting, {
      tenantId: current.tenantId,
      action: "connection.needs_reauth",
      targetType: "connection",
      targetId: current.id,
      before: { status: current.status },
      after: { status: "needs_reauth", lastError: reason.slice(0, 500) },
    });
  });
}

export interface RefresherRun {
  /** False when another process holds the refresher lock and this run did nothing. */
  ran: boolean;
  refreshed: number;
  failed: number;
}

/**
 * One pass of the periodic refresher: renews OAuth tokens that expire within the lookahead. Only one
 * process runs a pass at a time (a transaction-scoped advisory lock); each refresh still takes its
 * connection's refresh attempt, so a pass and a credential read never refresh the same token twice.
 */
export async function refreshExpiringConnections(
  ctx: Pick<ServiceContext, "db" | "keyring" | "clock">,
  options: { lookaheadMs?: number; batchSize?: number; requestId?: string } = {},
): Promise<RefresherRun> {
  const { db, keyring, clock } = ctx;
  const lookaheadMs = options.lookaheadMs ?? REFRESH_LOOKAHEAD_MS;
  const pass = async (): Promise<RefresherRun> => {
    const passStartedAt = clock.now();
    const due = await db
      .select()
      .from(connections)
      .where(
        and(
          eq(connections.status, "connected"),
          isNotNull(connections.accessTokenExpiresAt),
          lt(connections.accessTokenExpiresAt, new Date(passStartedAt.getTime() + lookaheadMs)),
        ),
      )
      .orderBy(asc(connections.accessTokenExpiresAt))
      .limit(options.batchSize ?? 100);
    let refreshed = 0;
    let failed = 0;
    for (const row of due) {
      const acting: RefreshContext = {
        db,
        keyring,
        clock,
        actor: { type: "system", workspaceId: row.workspaceId, systemId: "connection_refresher" },
        requestId: options.requestId ?? globalThis.crypto.randomUUID(),
      };
      try {
        const tokens = await openTokens(keyring, row);
        if (!refreshDue(tokens, lookaheadMs, clock.now())) continue;
        if (!tokens.refreshToken && !isExpired(tokens, clock)) continue;
        await refreshConnection(acting, row);
        refreshed++;
      } catch {
        failed++;
      }
    }
    return { ran: true, refreshed, failed };
  };
  if (driverOf(db) !== "postgres") return pass();
  return db.transaction(async (tx) => {
    const result = await tx.execute<{ locked: boolean }>(
      sql`select pg_try_advisory_xact_lock(${REFRESHER_LOCK_KEY}) as locked`,
    );
    const rows = rowsOf<{ locked: boolean }>(result);
    if (!rows[0]?.locked) return { ran: false, refreshed: 0, failed: 0 };
    return pass();
  });
}
