import type { DatabaseHandle } from "@tenantry/db/database";
import { createTestDatabase } from "@tenantry/db/test-database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  clearAccountThrottle,
  countSignInAttempt,
  countSignInSuccess,
  LOCKOUT_MEMORY_MS,
} from "./throttle";

/** Sign-in throttling in the database, with the clock passed in instead of waited for. */
let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle.close());

const MINUTE = 60_000;
const start = new Date("2030-01-01T00:00:00Z");
const at = (ms: number) => new Date(start.getTime() + ms);
let counter = 0;
const fresh = (what: string) => `${what}-${++counter}`;
const email = () => `${fresh("ops")}@host.example`;
/** A new IPv4 address per call, from the documentation ranges. */
const address = () => `198.51.${Math.floor(++counter / 250) % 250}.${(counter % 250) + 1}`;

const attempt = (email: string, address: string, now: Date) =>
  countSignInAttempt(handle.db, { email, address }, now);

describe("per account, from any address", () => {
  it("locks the account after its failures, for a while that doubles while lockouts follow each other", async () => {
    const account = email();
    for (let i = 0; i < ACCOUNT_THROTTLE.failures; i++) {
      expect(await attempt(account, address(), at(i * 1000))).toBeNull();
    }
    // The next one, from yet another address, is refused for the whole lockout.
    expect(await attempt(account, address(), at(10_000))).toBe(15 * 60);
    expect(await attempt(account, address(), at(10_000 + 5 * MINUTE))).toBe(10 * 60);
    // After the lockout: a fresh window; the next lockout is twice as long, then capped.
    const afterFirst = 10_000 + 15 * MINUTE;
    for (let i = 0; i < ACCOUNT_THROTTLE.failures; i++) {
      expect(await attempt(account, address(), at(afterFirst + i))).toBeNull();
    }
    expect(await attempt(account, address(), at(afterFirst + 10))).toBe(30 * 60);
    const afterSecond = afterFirst + 10 + 30 * MINUTE;
    for (let i = 0; i <= ACCOUNT_THROTTLE.failures; i++)
      await attempt(account, address(), at(afterSecond + i));
    const afterThird = afterSecond + ACCOUNT_THROTTLE.failures + 60 * MINUTE;
    for (let i = 0; i < ACCOUNT_THROTTLE.failures; i++) await attempt(account, address(), at(afterThird + i));
    expect(await attempt(account, address(), at(afterThird + 10))).toBe(ACCOUNT_THROTTLE.maxLockoutMs / 1000);
    // A day after the last lockout it is forgotten: the next one is short again.
    const later = afterThird + 10 + ACCOUNT_THROTTLE.maxLockoutMs + LOCKOUT_MEMORY_MS;
    for (let i = 0; i < ACCOUNT_THROTTLE.failures; i++) await attempt(account, address(), at(later + i));
    expect(await attempt(account, address(), at(later + 10))).toBe(15 * 60);
  });

  it("counts a refused attempt against nothing: hammering a locked account spends no address's budget", async () => {
    const account = email();
    for (let i = 0; i <= ACCOUNT_THROTTLE.failures; i++) await attempt(account, address(), at(i));
    const hammer = address();
    for (let i = 0; i < ADDRESS_THROTTLE.failures + 5; i++) {
      expect(await attempt(account, hammer, at(100 + i))).not.toBeNull();
    }
    expect(await attempt(email(), hammer, at(200))).toBeNull();
  });

  it("forgets failures older than the window", async () => {
    const account = email();
    for (let i = 0; i < ACCOUNT_THROTTLE.failures; i++) await attempt(account, address(), at(i));
    expect(await attempt(account, address(), at(ACCOUNT_THROTTLE.windowMs))).toBeNull();
  });

  it("is lifted by a password reset, and forgiven by a successful sign-in", async () => {
    const account = email();
    for (let i = 0; i <= ACCOUNT_THROTTLE.failures; i++) await attempt(account, address(), at(i));
    expect(await attempt(account, address(), at(100))).not.toBeNull();
    await clearAccountThrottle(handle.db, account.toUpperCase());
    expect(await attempt(account, address(), at(200))).toBeNull();

    const other = email();
    for (let i = 1; i < ACCOUNT_THROTTLE.failures; i++) await attempt(other, address(), at(i));
    const from = address();
    expect(await attempt(other, from, at(10))).toBeNull();
    await countSignInSuccess(handle.db, { email: other, address: from }, at(11));
    for (let i = 0; i < ACCOUNT_THROTTLE.failures; i++) {
      expect(await attempt(other, address(), at(20 + i))).toBeNull();
    }
  });

  it("lets exactly the allowed number through when attempts arrive at once", async () => {
    const account = email();
    const answers = await Promise.all(
      Array.from({ length: ACCOUNT_THROTTLE.failures + 7 }, () => attempt(account, address(), at(0))),
    );
    expect(answers.filter((answer) => answer === null)).toHaveLength(ACCOUNT_THROTTLE.failures);
  });
});

describe("per address, for any account", () => {
  it("refuses an address that failed on many accounts, for every account, and only that address", async () => {
    const sprayer = address();
    for (let i = 0; i < ADDRESS_THROTTLE.failures; i++) {
      expect(await attempt(email(), sprayer, at(i))).toBeNull();
    }
    const victim = email();
    expect(await attempt(victim, sprayer, at(100))).toBe(15 * 60);
    // The same account from elsewhere is not held back by the sprayer's lockout.
    expect(await attempt(victim, address(), at(100))).toBeNull();
    // Nor does the lockout outlast its window.
    expect(await attempt(email(), sprayer, at(100 + 15 * MINUTE))).toBeNull();
  });

  it("counts IPv6 clients by their /64", async () => {
    const prefix = `2001:db8:${(++counter).toString(16)}:1`;
    for (let i = 0; i < ADDRESS_THROTTLE.failures; i++) {
      await attempt(email(), `${prefix}::${(i + 1).toString(16)}`, at(i));
    }
    expect(await attempt(email(), `${prefix}:ffff::1`, at(100))).not.toBeNull();
  });

  it("keeps other accounts' failures when one account signs in from the address", async () => {
    const shared = address();
    for (let i = 1; i < ADDRESS_THROTTLE.failures; i++) await attempt(email(), shared, at(i));
    // One more attempt with the right password: it no longer counts, the others still do.
    const mine = email();
    expect(await attempt(mine, shared, at(100))).toBeNull();
    await countSignInSuccess(handle.db, { email: mine, address: shared }, at(101));
    expect(await attempt(email(), shared, at(102))).toBeNull();
    expect(await attempt(email(), shared, at(103))).toBe(15 * 60);
  });

  it("lets exactly the allowed number through when attempts arrive at once", async () => {
    const sprayer = address();
    const answers = await Promise.all(
      Array.from({ length: ADDRESS_THROTTLE.failures + 5 }, () => attempt(email(), sprayer, at(0))),
    );
    expect(answers.filter((answer) => answer === null)).toHaveLength(ADDRESS_THROTTLE.failures);
  });
});
