import { driverOf, type Executor, rowsOf } from "@tenantry/db/database";
import { apps, connections } from "@tenantry/db/schema/connections";
import { and, asc, eq, isNotNull, lt, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { Keyring } from "../secrets/keyring";
import type { Clock } from "../shared/clock";
import { appError } from "../shared/errors";
import { isTransaction } from "../shared/prepared";
import type { ServiceContext } from "../shared/service-context";
import { oauthClientOf, ProviderError, refreshAccessToken, type StoredTokens } from "./provider-client";
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

export const needsReauth = (connectionId: string) =>
  appError(
    "CONFLICT",
    "needs_reauth",
    `Connection ${connectionId} needs the user to sign in to the provider again`,
    { connectionId },
  );

/**
 * In-process single flight: concurrent reads in one process share one refresh. Across processes
 * the row lock in `refreshUnderLock` decides; this map only saves them from queueing on it.
 */
const inFlight = new Map<string, Promise<StoredTokens>>();

/** Refreshes the connection's tokens once, however many callers ask at the same moment. */
export function refreshConnection(ctx: RefreshContext, seen: ConnectionRow): Promise<StoredTokens> {
  const key = `${seen.workspaceId}:${seen.id}`;
  let flight = inFlight.get(key);
  if (!flight) {
    flight = refreshUnderLock(ctx, seen).finally(() => inFlight.delete(key));
    inFlight.set(key, flight);
  }
  return flight;
}

type Outcome =
  | { kind: "tokens"; tokens: StoredTokens }
  | { kind: "needs_reauth" }
  | { kind: "failed"; code: "provider_error" | "provider_unavailable"; message: string };

async function refreshUnderLock(ctx: RefreshContext, seen: ConnectionRow): Promise<StoredTokens> {
  const { db } = ctx;
  const where = and(eq(connections.workspaceId, seen.workspaceId), eq(connections.id, seen.id));
  let outcome: Outcome;
  if (driverOf(db) === "postgres") {
    // The row lock is held across the provider call: a second process waits here, then sees the
    // new version and uses the tokens the first one stored. It is released if this process dies.
    outcome = await db.transaction(async (tx) => {
      const [current] = await tx.select().from(connections).where(where).for("update");
      return refreshLocked(tx, ctx, seen, current);
    });
  } else {
    // PGlite: one process owns the data dir and runs one statement at a time, so the single flight
    // above is the lock; holding a transaction across the provider call would stall every request.
    const [current] = await db.select().from(connections).where(where);
    outcome = await refreshLocked(db, ctx, seen, current);
  }
  if (outcome.kind === "tokens") return outcome.tokens;
  if (outcome.kind === "needs_reauth") throw needsReauth(seen.id);
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

async function refreshLocked(
  executor: Executor,
  ctx: RefreshContext,
  seen: ConnectionRow,
  current: ConnectionRow | undefined,
): Promise<Outcome> {
  const { keyring, clock } = ctx;
  if (!current || current.status === "needs_reauth") return { kind: "needs_reauth" };
  if (current.status !== "connected" || !current.credentialsSealed) {
    return { kind: "failed", code: "provider_error", message: `Connection ${seen.id} is ${current.status}` };
  }
  const tokens = await openTokens(keyring, current);
  // Double-checked: another caller refreshed while this one waited for the lock.
  if (current.version !== seen.version && !isExpired(tokens, clock)) {
    return { kind: "tokens", tokens };
  }
  if (!tokens.refreshToken) {
    if (!isExpired(tokens, clock)) return { kind: "tokens", tokens };
    await markNeedsReauth(
      executor,
      ctx,
      current,
      "The access token expired and the provider gave no refresh token",
    );
    return { kind: "needs_reauth" };
  }

  const [app] = await executor
    .select()
    .from(apps)
    .where(and(eq(apps.workspaceId, current.workspaceId), eq(apps.id, current.appId)));
  const client = app && (await oauthClientOf(keyring, app));
  if (!app || !client) {
    return { kind: "failed", code: "provider_error", message: "The app has no OAuth2 client settings" };
  }
  let next: StoredTokens;
  try {
    next = await refreshAccessToken(client, tokens.refreshToken, () => clock.now());
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    if (error.kind === "invalid_grant") {
      await markNeedsReauth(executor, ctx, current, error.message);
      return { kind: "needs_reauth" };
    }
    // A provider outage changes nothing; a token that is still valid is still worth handing out.
    if (error.kind === "unavailable" && !isExpired(tokens, clock)) return { kind: "tokens", tokens };
    return {
      kind: "failed",
      code: error.kind === "unavailable" ? "provider_unavailable" : "provider_error",
      message: `${app.name}: ${error.message}`,
    };
  }

  // The rotated refresh token and the new access token are written together, or not at all.
  const sealed = await sealCredentials(keyring, current, next);
  const now = clock.now();
  await executor
    .update(connections)
    .set({
      credentialsSealed: sealed,
      accessTokenExpiresAt: next.expiresAt ? new Date(next.expiresAt) : null,
      lastRefreshAt: now,
      lastError: null,
      updatedAt: now,
      version: current.version + 1,
    })
    .where(and(eq(connections.workspaceId, current.workspaceId), eq(connections.id, current.id)));
  return { kind: "tokens", tokens: next };
}

async function markNeedsReauth(
  executor: Executor,
  acting: RefreshContext,
  current: ConnectionRow,
  reason: string,
) {
  await inTransaction(executor, async (tx) => {
    await tx
      .update(connections)
      .set({
        status: "needs_reauth",
        lastError: reason.slice(0, 500),
        updatedAt: acting.clock.now(),
        version: current.version + 1,
      })
      .where(and(eq(connections.workspaceId, current.workspaceId), eq(connections.id, current.id)));
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
 * connection's row lock, so a pass and a credential read never refresh the same token twice.
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
