import type { AddressInfo } from "node:net";
import {
  ACCOUNT_THROTTLE,
  ADDRESS_THROTTLE,
  createOperator,
  parseTrustedProxies,
} from "@tenantry/api/operators";
import { randomKeyring } from "@tenantry/api/server-runtime";
import { testClock } from "@tenantry/api/testing";
import { operatorSignInAttempts } from "@tenantry/db/schema/operators";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "./http-server";
import { hashOperatorPassword } from "./operator-passwords";
import { startTestServer, type TestServer } from "./testing/test-server";

/**
 * Sign-in throttling over real HTTP: per account across addresses, per address across accounts,
 * with client addresses coming through a trusted proxy's X-Forwarded-For. Two servers share one
 * database, as two processes would: one trusts 127.0.0.1 as its proxy (TENANTRY_TRUSTED_PROXIES),
 * the other trusts no one and so counts every request from here as 127.0.0.1.
 */
let direct: TestServer;
let proxied: { url: string; close: () => Promise<void> };
const PASSWORD = "correct horse battery staple";
let operatorEmail: string;
/** Both servers' clock, as two processes share the time: lockouts run out by moving it. */
const clock = testClock(Date.now());

beforeAll(async () => {
  direct = await startTestServer({ clock });
  const operator = await createOperator(direct.handle.db, {
    workspaceId: direct.workspaceId,
    email: "throttled@host.example",
    name: "Throttled",
    passwordHash: await hashOperatorPassword(PASSWORD),
  });
  operatorEmail = operator.email;
  const server = createHttpServer({
    state: { db: direct.handle.db, keyring: await randomKeyring() },
    logger: pino({ level: "silent" }),
    publicUrl: "http://127.0.0.1",
    bodyLimitBytes: 1024 * 1024,
    version: "test",
    trustedProxies: parseTrustedProxies("127.0.0.1"),
    clock,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxied = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
afterAll(async () => {
  await proxied?.close();
  await direct?.close();
});

function signIn(via: string, email: string, password: string, forwardedFor?: string) {
  return fetch(`${via}/console/session`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
    },
    body: JSON.stringify({ email, password }),
  });
}

const WRONG = "guess guess guess";
let counter = 0;
const someone = () => `nobody-${++counter}@host.example`;

/** Every lockout so far runs out: the clock moves past the longest one (instead of waiting for it). */
function lockoutsPass() {
  clock.advance(Math.max(ACCOUNT_THROTTLE.maxLockoutMs, ADDRESS_THROTTLE.maxLockoutMs));
}

async function expectRateLimited(response: Response) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(ACCOUNT_THROTTLE.maxLockoutMs / 1000);
  expect(await response.json()).toMatchObject({ code: "rate_limited", retryAfter });
}

describe("per account, across addresses", () => {
  it("locks an account guessed at from many addresses, even for its right password, until the lockout ends", async () => {
    for (let i = 1; i <= ACCOUNT_THROTTLE.failures; i++) {
      expect((await signIn(proxied.url, operatorEmail, WRONG, `203.0.113.${i}`)).status).toBe(401);
    }
    await expectRateLimited(await signIn(proxied.url, operatorEmail, PASSWORD, "203.0.113.99"));
    await expectRateLimited(await signIn(direct.url, operatorEmail, PASSWORD));
    lockoutsPass();
    expect((await signIn(proxied.url, operatorEmail, PASSWORD, "203.0.113.99")).status).toBe(200);
  });

  it("lets through exactly the allowed failures when they arrive at once from different addresses", async () => {
    const email = someone();
    const answers = await Promise.all(
      Array.from({ length: ACCOUNT_THROTTLE.failures + 5 }, (_, i) =>
        signIn(proxied.url, email, WRONG, `192.0.2.${i + 1}`),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(ACCOUNT_THROTTLE.failures);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });
});

describe("per address, across accounts", () => {
  it("refuses an address that failed on many accounts, for any account, while other addresses go on", async () => {
    const sprayer = "198.51.100.7";
    for (let i = 0; i < ADDRESS_THROTTLE.failures; i++) {
      expect((await signIn(proxied.url, someone(), WRONG, sprayer)).status).toBe(401);
    }
    await expectRateLimited(await signIn(proxied.url, operatorEmail, PASSWORD, sprayer));
    expect((await signIn(proxied.url, operatorEmail, PASSWORD, "198.51.100.8")).status).toBe(200);
    // What the client wrote left of the proxy's entry proves nothing: the sprayer stays the sprayer.
    await expectRateLimited(await signIn(proxied.url, someone(), WRONG, `203.0.113.200, ${sprayer}`));
  });

  it("keeps other accounts' failures when one account signs in from the address", async () => {
    const shared = "198.51.100.20";
    for (let i = 1; i < ADDRESS_THROTTLE.failures; i++) {
      expect((await signIn(proxied.url, someone(), WRONG, shared)).status).toBe(401);
    }
    expect((await signIn(proxied.url, operatorEmail, PASSWORD, shared)).status).toBe(200);
    expect((await signIn(proxied.url, someone(), WRONG, shared)).status).toBe(401);
    await expectRateLimited(await signIn(proxied.url, someone(), WRONG, shared));
  });
});

describe("a peer that is not a trusted proxy", () => {
  it("has its X-Forwarded-For ignored: every request counts against its own address", async () => {
    await direct.handle.db.delete(operatorSignInAttempts);
    for (let i = 0; i < ADDRESS_THROTTLE.failures; i++) {
      const answer = await signIn(direct.url, someone(), WRONG, `203.0.113.${100 + i}`);
      expect(answer.status).toBe(401);
    }
    await expectRateLimited(await signIn(direct.url, operatorEmail, PASSWORD, "203.0.113.250"));
  });
});
