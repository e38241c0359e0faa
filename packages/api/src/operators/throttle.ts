import { normalizeEmail } from "@tenantry/contracts/email";
import type { Executor } from "@tenantry/db/database";
import { operatorSignInAttempts } from "@tenantry/db/schema/operators";
import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { sha256Hex } from "../shared/crypto";
import { throttledAddress } from "./client-address";

/**
 * How many failed sign-ins a key may have in one window, and how long it is then refused. Each
 * lockout that follows within `LOCKOUT_MEMORY_MS` of the last one lasts twice as long, up to the cap.
 */
export interface ThrottlePolicy {
  failures: number;
  windowMs: number;
  lockoutMs: number;
  maxLockoutMs: number;
}

const MINUTE = 60_000;

/** One account (email), from any address: guessing one operator's password from many machines. */
export const ACCOUNT_THROTTLE: ThrottlePolicy = {
  failures: 5,
  windowMs: 15 * MINUTE,
  lockoutMs: 15 * MINUTE,
  maxLockoutMs: 60 * MINUTE,
};

/** One client address, for any account: trying a few passwords on many accounts (spraying). */
export const ADDRESS_THROTTLE: ThrottlePolicy = {
  failures: 20,
  windowMs: 15 * MINUTE,
  lockoutMs: 15 * MINUTE,
  maxLockoutMs: 4 * 60 * MINUTE,
};

/** A lockout is forgotten (the next one starts short again) this long after the last one ended. */
export const LOCKOUT_MEMORY_MS = 24 * 60 * MINUTE;

export interface ThrottleState {
  attempts: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
  lockouts: number;
}

/**
 * One attempt against one key at `now`: the key's next state, and how long the attempt must wait
 * (null: go ahead). A locked key refuses without counting, so waiting out a lockout is enough; the
 * attempt that passes the limit starts the lockout and a fresh window.
 */
export function nextThrottleState(
  state: ThrottleState | null,
  now: Date,
  policy: ThrottlePolicy,
): { state: ThrottleState; retryAfterMs: number | null } {
  const t = now.getTime();
  const current = state ?? { attempts: 0, windowStartedAt: now, lockedUntil: null, lockouts: 0 };
  if (current.lockedUntil && current.lockedUntil.getTime() > t) {
    return { state: current, retryAfterMs: current.lockedUntil.getTime() - t };
  }
  const stale = current.windowStartedAt.getTime() <= t - policy.windowMs;
  const attempts = stale ? 1 : current.attempts + 1;
  const windowStartedAt = stale ? now : current.windowStartedAt;
  if (attempts <= policy.failures) {
    return { state: { ...current, attempts, windowStartedAt }, retryAfterMs: null };
  }
  const remembered = current.lockedUntil && current.lockedUntil.getTime() > t - LOCKOUT_MEMORY_MS;
  const lockouts = remembered ? current.lockouts + 1 : 1;
  const lockoutMs = Math.min(policy.lockoutMs * 2 ** (lockouts - 1), policy.maxLockoutMs);
  return {
    state: { attempts: 0, windowStartedAt: now, lockedUntil: new Date(t + lockoutMs), lockouts },
    retryAfterMs: lockoutMs,
  };
}

async function accountKey(email: string): Promise<string> {
  return sha256Hex(`account|${normalizeEmail(email)}`);
}

async function addressKey(address: string): Promise<string> {
  return sha256Hex(`address|${throttledAddress(address)}`);
}

/**
 * Counts a sign-in attempt against its account and its client address before the password is
 * checked (an attempt refused by either is counted by neither), so concurrent attempts from several processes cannot slip past a limit: both rows are
 * locked (in key order, so two sign-ins never wait on each other crosswise), read and written in
 * one transaction. Answers the seconds to wait when either is locked, else null. `(db, …, now)`:
 * it runs before there is an actor; `now` comes from the caller's clock.
 */
export async function countSignInAttempt(
  db: Executor,
  attempt: { email: string; address: string },
  now: Date,
): Promise<number | null> {
  const policies = new Map([
    [await accountKey(attempt.email), ACCOUNT_THROTTLE],
    [await addressKey(attempt.address), ADDRESS_THROTTLE],
  ]);
  const keys = [...policies.keys()].sort();
  const waits = await db.transaction(async (tx) => {
    // An upsert that changes nothing, so it locks the rows (new or not) in key order and reads them.
    const rows = await tx
      .insert(operatorSignInAttempts)
      .values(keys.map((key) => ({ key, attempts: 0, windowStartedAt: now })))
      .onConflictDoUpdate({ target: operatorSignInAttempts.key, set: { key: sql`excluded.key` } })
      .returning();
    const next = rows.map((row) => ({ row, ...nextThrottleState(row, now, policies.get(row.key)!) }));
    const refused = next.some(({ retryAfterMs }) => retryAfterMs !== null);
    for (const { row, state, retryAfterMs } of next) {
      // A refused attempt checks no password, so it counts against nothing; only a lockout it
      // starts is kept.
      if (state === row || (refused && retryAfterMs === null)) continue;
      const { attempts, windowStartedAt, lockedUntil, lockouts } = state;
      await tx
        .update(operatorSignInAttempts)
        .set({ attempts, windowStartedAt, lockedUntil, lockouts })
        .where(eq(operatorSignInAttempts.key, row.key));
    }
    return next.flatMap(({ retryAfterMs }) => (retryAfterMs === null ? [] : [retryAfterMs]));
  });
  return waits.length > 0 ? Math.max(1, Math.ceil(Math.max(...waits) / 1000)) : null;
}

/**
 * Right credentials: the account's failures are forgiven, and this attempt no longer counts against
 * the address. The address's other failures stay (they were other accounts' guesses), so signing
 * in to an account of one's own never clears a spraying address. Rows idle for a day go too.
 */
export async function countSignInSuccess(
  db: Executor,
  attempt: { email: string; address: string },
  now: Date,
): Promise<void> {
  const address = await addressKey(attempt.address);
  await db
    .delete(operatorSignInAttempts)
    .where(eq(operatorSignInAttempts.key, await accountKey(attempt.email)));
  await db
    .update(operatorSignInAttempts)
    .set({ attempts: sql`greatest(${operatorSignInAttempts.attempts} - 1, 0)` })
    .where(
      and(
        eq(operatorSignInAttempts.key, address),
        gt(operatorSignInAttempts.windowStartedAt, new Date(now.getTime() - ADDRESS_THROTTLE.windowMs)),
      ),
    );
  const dayAgo = new Date(now.getTime() - LOCKOUT_MEMORY_MS);
  await db
    .delete(operatorSignInAttempts)
    .where(
      and(
        lt(operatorSignInAttempts.windowStartedAt, dayAgo),
        or(isNull(operatorSignInAttempts.lockedUntil), lt(operatorSignInAttempts.lockedUntil, dayAgo)),
      ),
    );
}

/** A password reset unlocks the account: its owner gets a fresh start with the new password. */
export async function clearAccountThrottle(db: Executor, email: string): Promise<void> {
  await db.delete(operatorSignInAttempts).where(eq(operatorSignInAttempts.key, await accountKey(email)));
}
