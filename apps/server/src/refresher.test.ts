import { completeAuthorization, startAuthorization } from "@tenantry/api/server-runtime";
import {
  createHarness,
  HARNESS_PUBLIC_URL,
  type Harness,
  REFRESH_LOOKAHEAD_MS,
  testClock,
} from "@tenantry/api/testing";
import { appSettingsFor, type ProviderProcess, startProviderProcess } from "@tenantry/oauth-provider/process";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startConnectionRefresher } from "./refresher";

/** The background refresher decides what is due by the clock it is given, never by the real one. */
let provider: ProviderProcess;
let h: Harness;
const clock = testClock(Date.now());

beforeAll(async () => {
  [provider, h] = await Promise.all([startProviderProcess({ autoApprove: true }), createHarness({ clock })]);
  await h.api.apps.create({
    key: "loopback",
    name: "Loopback",
    authType: "oauth2",
    oauth2: appSettingsFor(provider),
  });
});
afterAll(async () => {
  await Promise.all([provider?.stop(), h?.close()]);
});

async function connect(): Promise<string> {
  const browser = {
    db: h.handle.db,
    keyring: h.keyring,
    clock,
    publicUrl: HARNESS_PUBLIC_URL,
    requestId: "test",
  };
  const tenant = await h.api.tenants.create({ name: "Background Co" });
  const created = await h.api.connections.create({ tenantId: tenant.id, appKey: "loopback" });
  const started = await startAuthorization(browser, {
    flow: new URL(created.authorizationUrl!).searchParams.get("flow")!,
  });
  if (started.kind !== "redirect") throw new Error(JSON.stringify(started.result));
  const back = new URL((await fetch(started.location, { redirect: "manual" })).headers.get("location")!);
  const result = await completeAuthorization(browser, {
    code: back.searchParams.get("code")!,
    state: back.searchParams.get("state")!,
    binding: started.nonce,
  });
  expect(result.status).toBe("connected");
  return created.id;
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it("renews a token once the clock brings it within the lookahead", async () => {
  // The provider's tokens live an hour: on the real clock nothing here would be due for 50 minutes.
  const id = await connect();
  const before = await h.api.connections.get({ id });
  const refresher = startConnectionRefresher({
    db: h.handle.db,
    keyring: h.keyring,
    clock,
    intervalMs: 20,
    logger: pino({ level: "silent" }),
  });
  try {
    clock.advance(60 * 60_000 - REFRESH_LOOKAHEAD_MS + 60_000);
    await until("the refresher renewed the token", async () => {
      return (await h.api.connections.get({ id })).lastRefreshAt !== null;
    });
  } finally {
    await refresher.stop();
  }
  const after = await h.api.connections.get({ id });
  expect(Date.parse(after.accessTokenExpiresAt!)).toBe(clock.now().getTime() + 60 * 60_000);
  expect(after.accessTokenExpiresAt).not.toBe(before.accessTokenExpiresAt);
  expect((await provider.stats()).refreshGrants).toBe(1);
});
