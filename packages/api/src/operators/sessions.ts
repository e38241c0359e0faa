import type { Database, Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { operatorSessions, operators } from "@tenantry/db/schema/operators";
import { and, eq, isNull, lt } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { OperatorActor } from "../actor";
import type { Context } from "../context";
import type { Clock } from "../shared/clock";
import { base64url, randomBytes, sha256Hex } from "../shared/crypto";
import { appError } from "../shared/errors";

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and in any case this long after sign-in. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** `last_seen_at` / `expires_at` are moved at most this often, so reads do not all turn into writes. */
const TOUCH_RESOLUTION_MS = 60_000;

export interface OperatorSession {
  id: string;
  workspaceId: string;
  operator: { id: string; email: string; name: string };
  csrfToken: string;
  expiresAt: string;
}

/**
 * Bound to the session: derived from its token, so it needs no storage and a session's CSRF token
 * is useless with any other session.
 */
export async function csrfTokenFor(sessionToken: string): Promise<string> {
  return (await sha256Hex(`tenantry-csrf:${sessionToken}`)).slice(0, 43);
}

/** At sign-in, hence `(db, …)` and the time from the caller's clock: there is no actor yet. */
export async function createOperatorSession(
  db: Executor,
  operator: { workspaceId: string; id: string },
  at: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const token = base64url(randomBytes(32));
  const now = at.getTime();
  const expiresAt = new Date(now + SESSION_IDLE_MS);
  await db.insert(operatorSessions).values({
    workspaceId: operator.workspaceId,
    id: newId("ses"),
    operatorId: operator.id,
    tokenHash: await sha256Hex(token),
    expiresAt,
    absoluteExpiresAt: new Date(now + SESSION_ABSOLUTE_MS),
  });
  await db
    .update(operators)
    .set({ lastSignInAt: at })
    .where(and(eq(operators.workspaceId, operator.workspaceId), eq(operators.id, operator.id)));
  return { token, expiresAt };
}

/**
 * Signs an operator in — at sign-in or right after the first operator's setup — and records that in
 * the workspace's activity log, naming the operator as the actor.
 */
export async function startOperatorSession(
  db: Database,
  operator: { workspaceId: string; id: string },
  options: { requestId: string; action: "operator.signed_in" | "operator.created"; clock: Clock },
): Promise<{ token: string; expiresAt: Date }> {
  const session = await createOperatorSession(db, operator, options.clock.now());
  await recordActivity(
    db,
    {
      actor: { type: "operator", workspaceId: operator.workspaceId, operatorId: operator.id, sessionId: "" },
      requestId: options.requestId,
      clock: options.clock,
    },
    { tenantId: null, action: options.action, targetType: "operator", targetId: operator.id },
  );
  return session;
}

/**
 * The live session behind a cookie token at `at`, or null (unknown, expired, or its operator
 * disabled). `(db, …)`: this is how a request gets its actor in the first place.
 */
export async function findOperatorSession(
  db: Database,
  token: string,
  at: Date,
): Promise<OperatorSession | null> {
  const tokenHash = await sha256Hex(token);
  const [row] = await db
    .select({
      id: operatorSessions.id,
      workspaceId: operatorSessions.workspaceId,
      lastSeenAt: operatorSessions.lastSeenAt,
      expiresAt: operatorSessions.expiresAt,
      absoluteExpiresAt: operatorSessions.absoluteExpiresAt,
      operatorId: operators.id,
      email: operators.email,
      name: operators.name,
    })
    .from(operatorSessions)
    .innerJoin(
      operators,
      and(
        eq(operators.workspaceId, operatorSessions.workspaceId),
        eq(operators.id, operatorSessions.operatorId),
        isNull(operators.disabledAt),
      ),
    )
    .where(eq(operatorSessions.tokenHash, tokenHash))
    .limit(1);
  const now = at.getTime();
  if (!row || row.expiresAt.getTime() <= now || row.absoluteExpiresAt.getTime() <= now) return null;
  let expiresAt = row.expiresAt;
  if (now - row.lastSeenAt.getTime() > TOUCH_RESOLUTION_MS) {
    expiresAt = new Date(Math.min(now + SESSION_IDLE_MS, row.absoluteExpiresAt.getTime()));
    await db
      .update(operatorSessions)
      .set({ lastSeenAt: new Date(now), expiresAt })
      .where(
        and(
          eq(operatorSessions.workspaceId, row.workspaceId),
          eq(operatorSessions.id, row.id),
          lt(operatorSessions.lastSeenAt, new Date(now - TOUCH_RESOLUTION_MS)),
        ),
      );
  }
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    operator: { id: row.operatorId, email: row.email, name: row.name },
    csrfToken: await csrfTokenFor(token),
    expiresAt: expiresAt.toISOString(),
  };
}

/** Sign-out by the cookie's token, hence `(db, token)`. */
export async function deleteOperatorSession(db: Executor, token: string): Promise<void> {
  await db.delete(operatorSessions).where(eq(operatorSessions.tokenHash, await sha256Hex(token)));
}

/**
 * The console's way in: the session cookie, only from Tenantry's own origin and only with the
 * matching CSRF header, so no other site can make a signed-in browser call the API.
 */
export async function authenticateOperator(ctx: Context): Promise<OperatorActor> {
  const session = ctx.credentials.session;
  if (!session) throw appError("UNAUTHORIZED", "unauthorized", "Not signed in");
  if (ctx.origin) {
    throw appError("FORBIDDEN", "forbidden", "A console session cannot be used from another origin");
  }
  const found = await findOperatorSession(ctx.db, session.token, ctx.clock.now());
  if (!found) throw appError("UNAUTHORIZED", "unauthorized", "The console session expired; sign in again");
  if (!session.csrf || !constantTimeEqual(session.csrf, found.csrfToken)) {
    throw appError("FORBIDDEN", "csrf_failed", "Missing or wrong x-tenantry-csrf header");
  }
  return {
    type: "operator",
    workspaceId: found.workspaceId,
    operatorId: found.operator.id,
    sessionId: found.id,
  };
}

export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
