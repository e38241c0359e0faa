import { activityLog } from "@tenantry/db/schema/activity";
import { connections, oauthStates } from "@tenantry/db/schema/connections";
import { appSettingsFor, type ProviderProcess, startProviderProcess } from "@tenantry/oauth-provider/process";
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, HARNESS_PUBLIC_URL, type Harness } from "../testing/harness";
import {
  type CallbackQuery,
  type CallbackResult,
  completeAuthorization,
  STATE_TTL_MS,
  startAuthorization,
} from "./oauth";
import type { StoredTokens } from "./provider-client";
import { refreshExpiringConnections } from "./refresh";
import { connectionCredentialsAad } from "./sealed-credentials";

/** A real OAuth 2.0 provider in its own process, on loopback. */
let provider: ProviderProcess;
let h: Harness;
let appKey: string;
const HOST_ORIGIN = "http://host.example:5173";
/** What token expiry, refresh windows and state expiry read: tests move it instead of sleeping. */
const clock = testClock(Date.now());

beforeAll(async () => {
  [provider, h] = await Promise.all([startProviderProcess({ autoApprove: true }), createHarness({ clock })]);
  await h.api.workspaces.putAllowedOrigins({ origins: [HOST_ORIGIN] });
  appKey = "loopback";
  await h.api.apps.create({
    key: appKey,
    name: "Loopback CRM",
    authType: "oauth2",
    oauth2: {
      ...appSettingsFor(provider, ["contacts.read", "offline_access"]),
      extraAuthorizeParams: { prompt: "consent", state: "must-not-win" },
    },
  });
});
afterAll(async () => {
  await Promise.all([provider?.stop(), h?.close()]);
});
beforeEach(async () => {
  // Never behind the real time: access tokens are signed, and the provider runs, on the real clock.
  clock.set(Math.max(clock.now().getTime(), Date.now()));
  await provider.configure({
    accessTokenTtlSeconds: 3600,
    down: false,
    tokenDelayMs: 0,
    rotateRefreshTokens: true,
  });
});

/** What the server's `/oauth/start` and `/oauth/callback` act with. */
const browserContext = () => ({
  db: h.handle.db,
  keyring: h.keyring,
  clock,
  publicUrl: HARNESS_PUBLIC_URL,
  requestId: "test-request",
});

const complete = (query: CallbackQuery): Promise<CallbackResult> =>
  completeAuthorization(browserContext(), query);

/**
 * What a browser does with the `authorizationUrl`: opens Tenantry's start URL (which binds the attempt
 * to the browser's cookie, `binding`, and answers with the provider's URL). `binding` is the cookie
 * the browser already holds, if any.
 */
async function start(
  authorizationUrl: string,
  binding?: string,
): Promise<{ location: string; binding: string }> {
  const url = new URL(authorizationUrl);
  expect(`${url.origin}${url.pathname}`).toBe(`${HARNESS_PUBLIC_URL}/oauth/start`);
  const outcome = await startAuthorization(browserContext(), {
    flow: url.searchParams.get("flow") ?? undefined,
    binding,
  });
  if (outcome.kind !== "redirect") throw new Error(`start refused: ${JSON.stringify(outcome.result)}`);
  return { location: outcome.location, binding: outcome.nonce };
}

/** The provider (auto-approving) sends the browser back with code and state. */
async function approve(providerUrl: string): Promise<{ code: string; state: string }> {
  const response = await fetch(providerUrl, { redirect: "manual" });
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get("location")!);
  expect(`${back.origin}${back.pathname}`).toBe(`${HARNESS_PUBLIC_URL}/oauth/callback`);
  return { code: back.searchParams.get("code")!, state: back.searchParams.get("state")! };
}

/** The whole way in one browser: start, approve, and the callback query that browser brings back. */
async function authorize(
  authorizationUrl: string,
): Promise<{ code: string; state: string; binding: string }> {
  const started = await start(authorizationUrl);
  return { ...(await approve(started.location)), binding: started.binding };
}

async function connect(tenantId: string): Promise<string> {
  const created = await h.api.connections.create({ tenantId, appKey });
  const result = await complete(await authorize(created.authorizationUrl!));
  expect(result).toMatchObject({ status: "connected", connectionId: created.id });
  return created.id;
}

async function row(id: string) {
  const [found] = await h.handle.db.select().from(connections).where(eq(connections.id, id));
  return found!;
}

async function storedTokens(id: string): Promise<StoredTokens> {
  const found = await row(id);
  return JSON.parse(await h.keyring.open(found.credentialsSealed!, connectionCredentialsAad(found)));
}

async function accessTokenWorks(accessToken: string): Promise<boolean> {
  const response = await fetch(`${provider.url}/userinfo`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return response.ok;
}

describe("the authorization-code flow", () => {
  it("sends the user to the provider with PKCE and a sealed state, then stores working tokens", async () => {
    const tenant = await h.api.tenants.create({ name: "OAuth Co" });
    const created = await h.api.connections.create({
      tenantId: tenant.id,
      appKey,
      returnTo: `${HOST_ORIGIN}/settings`,
    });
    expect(created.status).toBe("pending");
    // Tenantry's start URL first; it sends the browser on to the provider.
    expect(created.authorizationUrl).toMatch(
      /^http:\/\/127\.0\.0\.1:4000\/oauth\/start\?flow=[A-Za-z0-9._-]+$/,
    );
    const started = await start(created.authorizationUrl!);
    const url = new URL(started.location);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: provider.clientId,
      redirect_uri: `${HARNESS_PUBLIC_URL}/oauth/callback`,
      scope: "contacts.read offline_access",
      code_challenge_method: "S256",
      prompt: "consent",
    });
    expect(url.searchParams.get("state")).not.toBe("must-not-win");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const result = await complete({ ...(await approve(started.location)), binding: started.binding });
    expect(result).toMatchObject({
      status: "connected",
      httpStatus: 200,
      returnTo: `${HOST_ORIGIN}/settings`,
    });
    const connection = await h.api.connections.get({ id: created.id });
    expect(connection).toMatchObject({ status: "connected", lastError: null });
    expect(connection.connectedAt).not.toBeNull();

    const credentials = await h.api.connections.credentials({ id: created.id });
    expect(credentials).toMatchObject({ type: "oauth2", tokenType: "Bearer" });
    if (credentials.type !== "oauth2") throw new Error("expected oauth2 credentials");
    expect(await accessTokenWorks(credentials.accessToken)).toBe(true);
    // Nothing a tenant or the log can read carries the tokens.
    const tokens = await storedTokens(created.id);
    const visible = JSON.stringify([
      connection,
      await h.api.connections.listForTenant({ tenantId: tenant.id }),
      await h.handle.db.select().from(activityLog),
      await row(created.id),
    ]);
    expect(visible).not.toContain(tokens.accessToken);
    expect(visible).not.toContain(tokens.refreshToken!);
    const actions = (await h.api.activity.listForTenant({ tenantId: tenant.id })).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["connection.created", "connection.connected"]));
  });

  it("refuses a replayed, altered or missing state, and changes nothing", async () => {
    const tenant = await h.api.tenants.create({ name: "Replay Co" });
    const created = await h.api.connections.create({ tenantId: tenant.id, appKey });
    const { code, state, binding } = await authorize(created.authorizationUrl!);
    const altered = `${state.slice(0, -2)}${state.endsWith("A") ? "B" : "A"}`;
    expect(await complete({ code, state: altered, binding })).toMatchObject({
      httpStatus: 400,
      error: { code: "invalid_state" },
    });
    expect(await complete({ code, binding })).toMatchObject({
      httpStatus: 400,
      error: { code: "invalid_state" },
    });
    expect((await row(created.id)).status).toBe("pending");

    expect(await complete({ code, state, binding })).toMatchObject({ status: "connected" });
    const after = await row(created.id);
    expect(await complete({ code, state, binding })).toMatchObject({
      httpStatus: 400,
      error: { code: "invalid_state" },
    });
    expect(await row(created.id)).toEqual(after);
  });

  it("lets exactly one of two concurrent callbacks with the same state through", async () => {
    const tenant = await h.api.tenants.create({ name: "Race Co" });
    const created = await h.api.connections.create({ tenantId: tenant.id, appKey });
    const callback = await authorize(created.authorizationUrl!);
    const results = await Promise.all([complete(callback), complete(callback)]);
    expect(results.map((r) => r.status).sort()).toEqual(["connected", "error"]);
    const stats = await provider.stats();
    expect(stats.authorizationCodeGrants).toBeGreaterThan(0);
  });

  it("refuses a reused code at the provider, with the connection unchanged", async () => {
    const tenant = await h.api.tenants.create({ name: "Code Reuse Co" });
    const first = await h.api.connections.create({ tenantId: tenant.id, appKey });
    const { code, state, binding } = await authorize(first.authorizationUrl!);
    expect(await complete({ code, state, binding })).toMatchObject({ status: "connected" });
    // A fresh, valid state (started in this browser) carrying the already-exchanged code.
    const retry = await h.api.connections.reauthorize({ id: first.id });
    const restarted = await start(retry.authorizationUrl, binding);
    expect(restarted.binding).toBe(binding);
    const fresh = new URL(restarted.location).searchParams.get("state")!;
    const before = await row(first.id);
    expect(await complete({ code, state: fresh, binding })).toMatchObject({
      httpStatus: 400,
      error: { code: "provider_error" },
    });
    expect(await row(first.id)).toEqual(before);
  });

  it("answers a provider's refusal (access_denied) without consuming the state or touching the connection", async () => {
    const tenant = await h.api.tenants.create({ name: "Denied Co" });
    const created = await h.api.connections.create({ tenantId: tenant.id, appKey });
    const started = await start(created.authorizationUrl!);
    const state = new URL(started.location).searchParams.get("state")!;
    const result = await complete({ state, error: "access_denied", binding: started.binding });
    expect(result).toMatchObject({
      httpStatus: 400,
      connectionId: created.id,
      error: { code: "provider_error" },
    });
    expect(result.error!.message).toContain("access_denied");
    expect((await row(created.id)).status).toBe("pending");
    const [stateRow] = await h.handle.db
      .select()
      .from(oauthStates)
      .where(eq(oauthStates.connectionId, created.id));
    expect(stateRow!.usedAt).toBeNull();
  });

  it("refuses a returnTo outside the workspace's allowed origins, and parameters for an OAuth app", async () => {
    const tenant = await h.api.tenants.create({ name: "Redirect Co" });
    expect(
      await failure(
        h.api.connections.create({ tenantId: tenant.id, appKey, returnTo: "https://evil.example/x" }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_input" });
    expect(
      await failure(h.api.connections.create({ tenantId: tenant.id, appKey, parameters: { a: 1 } })),
    ).toMatchObject({ status: 400 });
    expect((await h.api.connections.listForTenant({ tenantId: tenant.id })).items).toEqual([]);
  });

  it("an attempt expires 10 minutes after it began: its callback and its start URL are refused", async () => {
    const tenant = await h.api.tenants.create({ name: "Slow Co" });
    const created = await h.api.connections.create({ tenantId: tenant.id, appKey });
    const query = await authorize(created.authorizationUrl!);
    clock.advance(STATE_TTL_MS - 1000);
    const other = await h.api.connections.create({ tenantId: tenant.id, appKey });
    clock.advance(1000);
    expect(await complete(query)).toMatchObject({ status: "error", error: { code: "invalid_state" } });
    expect((await row(created.id)).status).toBe("pending");
    const outcome = await startAuthorization(browserContext(), {
      flow: new URL(created.authorizationUrl!).searchParams.get("flow")!,
    });
    expect(outcome).toMatchObject({ kind: "error", result: { error: { code: "invalid_state" } } });
    // One begun later is still live, so the refusal is the expiry, not something else.
    expect(await complete(await authorize(other.authorizationUrl!))).toMatchObject({ status: "connected" });
  });
});

describe("bound to the browser and the user that started it", () => {
  const stateOf = async (connectionId: string) =>
    (await h.handle.db.select().from(oauthStates).where(eq(oauthStates.connectionId, connectionId)))[0]!;
  const startIn = (authorizationUrl: string, binding: string | undefined) =>
    startAuthorization(browserContext(), {
      flow: new URL(authorizationUrl).searchParams.get("flow") ?? undefined,
      binding,
    });

  it("refuses a state brought back by another browser (no cookie, or another one) and changes nothing", async () => {
    const tenant = await h.api.tenants.create({ name: "Bound Co" });
    const created = await h.api.connections.create({ tenantId: tenant.id, appKey });
    // The member opens the link and sends the provider's page on to someone else, who approves it.
    const { code, state, binding } = await authorize(created.authorizationUrl!);
    const elsewhere = await start(
      (await h.api.connections.create({ tenantId: tenant.id, appKey })).authorizationUrl!,
    );
    const flipped = `${binding.slice(0, -1)}${binding.endsWith("A") ? "B" : "A"}`;
    const before = await row(created.id);
    for (const foreign of [undefined, elsewhere.binding, flipped, "not-a-nonce"]) {
      expect(await complete({ code, state, binding: foreign })).toMatchObject({
        status: "error",
        httpStatus: 400,
        error: { code: "invalid_state" },
      });
    }
    expect(await complete({ state, error: "access_denied" })).toMatchObject({
      httpStatus: 400,
      error: { code: "invalid_state" },
    });
    expect(await row(created.id)).toEqual(before);
    expect((await stateOf(created.id)).usedAt).toBeNull();
    // The browser that started it still finishes it, once.
    expect(await complete({ code, state, binding })).toMatchObject({ status: "connected" });
    expect(await complete({ code, state, binding })).toMatchObject({ error: { code: "invalid_state" } });
  });

  it("binds the start URL to the first browser that opens it; that browser may open it again", async () => {
    const tenant = await h.api.tenants.create({ name: "First Browser Co" });
    const created = await h.api.connections.create({ tenantId: tenant.id, appKey });
    const first = await start(created.authorizationUrl!);
    const bound = (await stateOf(created.id)).browserBindingHash;
    expect(bound).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bound).not.toContain(first.binding);
    // A reload in the same browser: same cookie, sent to the provider again.
    const reopened = await start(created.authorizationUrl!, first.binding);
    expect(reopened.binding).toBe(first.binding);
    // The link forwarded to another browser, with no cookie or with its own.
    const other = await start(
      (await h.api.connections.create({ tenantId: tenant.id, appKey })).authorizationUrl!,
    );
    for (const binding of [undefined, other.binding]) {
      const refused = await startIn(created.authorizationUrl!, binding);
      expect(refused).toMatchObject({
        kind: "error",
        result: { httpStatus: 400, error: { code: "invalid_state" } },
      });
    }
    expect((await stateOf(created.id)).browserBindingHash).toBe(bound);
    expect(await startIn(`${HARNESS_PUBLIC_URL}/oauth/start?flow=forged`, undefined)).toMatchObject({
      kind: "error",
      result: { error: { code: "invalid_state" } },
    });
  });

  it("lets exactly one of two browsers racing for the same start URL bind it", async () => {
    const tenant = await h.api.tenants.create({ name: "Race Start Co" });
    const created = await h.api.connections.create({ tenantId: tenant.id, appKey });
    const outcomes = await Promise.all([
      startIn(created.authorizationUrl!, undefined),
      startIn(created.authorizationUrl!, undefined),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["error", "redirect"]);
  });

  it("records who started the sign-in and names them in the log when it is finished", async () => {
    const key = await h.api.signingKeys.create({ algorithm: "HS256", name: `starter-${Date.now()}` });
    const jwt = await new SignJWT({
      sub: `starter-${Date.now()}`,
      scope: "connections:read connections:write",
    })
      .setProtectedHeader({ alg: "HS256", kid: key.id })
      // On the harness's clock, which the tests move ahead of the real one.
      .setIssuedAt(clock.now())
      .setExpirationTime(new Date(clock.now().getTime() + 10 * 60_000))
      .sign(new TextEncoder().encode(key.secret!));
    const widget = h.callerWith({ authorization: `Bearer ${jwt}` });
    const me = await widget.accessTokens.me();
    const created = await widget.connections.create({ tenantId: me.tenant.id, appKey });
    expect(await stateOf(created.id)).toMatchObject({
      startedByType: "access_token",
      startedById: `token:${key.id}`,
    });
    expect(await complete(await authorize(created.authorizationUrl!))).toMatchObject({ status: "connected" });
    const entry = (await h.api.activity.listForTenant({ tenantId: me.tenant.id })).items.find(
      (e) => e.action === "connection.connected",
    );
    expect(entry?.changes.after).toMatchObject({
      startedBy: { type: "access_token", id: `token:${key.id}` },
    });

    const byKey = await h.api.connections.create({ tenantId: me.tenant.id, appKey });
    const state = await stateOf(byKey.id);
    expect(state.startedByType).toBe("api_key");
    expect(state.startedById).toMatch(/^key_/);
  });
});

describe("refresh", () => {
  it("50 concurrent reads of an expiring token cause exactly one refresh at the provider", async () => {
    const tenant = await h.api.tenants.create({ name: "Refresh Co" });
    // A 2-second token is due once half its life has passed; the renewed one lives an hour.
    await provider.configure({ accessTokenTtlSeconds: 2 });
    const id = await connect(tenant.id);
    await provider.configure({ accessTokenTtlSeconds: 3600, tokenDelayMs: 150 });
    clock.advance(1100);
    const before = (await provider.stats()).refreshGrants;
    const reads = await Promise.all(Array.from({ length: 50 }, () => h.api.connections.credentials({ id })));
    expect((await provider.stats()).refreshGrants).toBe(before + 1);
    const accessTokens = new Set(reads.map((r) => (r.type === "oauth2" ? r.accessToken : "")));
    expect(accessTokens.size).toBe(1);
    expect(await accessTokenWorks([...accessTokens][0]!)).toBe(true);
    expect((await row(id)).lastRefreshAt).not.toBeNull();
  });

  it("stores each rotated refresh token, so refresh after refresh keeps working", async () => {
    const tenant = await h.api.tenants.create({ name: "Rotate Co" });
    await provider.configure({ accessTokenTtlSeconds: 1 });
    const id = await connect(tenant.id);
    const seen = new Set<string>([(await storedTokens(id)).refreshToken!]);
    for (let i = 0; i < 3; i++) {
      clock.advance(600);
      await h.api.connections.credentials({ id });
      seen.add((await storedTokens(id)).refreshToken!);
    }
    expect(seen.size).toBe(4);
    expect((await row(id)).status).toBe("connected");
  });

  it("moves the connection to needs_reauth on invalid_grant, logs it and answers 409", async () => {
    const tenant = await h.api.tenants.create({ name: "Revoked Co" });
    await provider.configure({ accessTokenTtlSeconds: 1 });
    const id = await connect(tenant.id);
    await provider.revokeAllGrants();
    clock.advance(600);
    expect(await failure(h.api.connections.credentials({ id }))).toMatchObject({
      status: 409,
      code: "needs_reauth",
    });
    expect(await row(id)).toMatchObject({ status: "needs_reauth" });
    expect((await row(id)).lastError).toContain("invalid_grant");
    const actions = (await h.api.activity.listForTenant({ tenantId: tenant.id })).items.map((e) => e.action);
    expect(actions).toContain("connection.needs_reauth");
    const refreshes = (await provider.stats()).refreshGrants;
    expect(await failure(h.api.connections.credentials({ id }))).toMatchObject({ code: "needs_reauth" });
    expect((await provider.stats()).refreshGrants).toBe(refreshes);

    // Reconnecting through a new authorization brings it back.
    const again = await h.api.connections.reauthorize({ id });
    expect(await complete(await authorize(again.authorizationUrl))).toMatchObject({ status: "connected" });
    expect(await row(id)).toMatchObject({ status: "connected", lastError: null });
  });

  it("a provider outage answers 503 for an expired token and leaves the connection unchanged", async () => {
    const tenant = await h.api.tenants.create({ name: "Outage Co" });
    await provider.configure({ accessTokenTtlSeconds: 1 });
    const id = await connect(tenant.id);
    clock.advance(1100);
    await provider.configure({ down: true });
    const before = await row(id);
    const refused = await failure(h.api.connections.credentials({ id }));
    expect(refused).toMatchObject({ status: 503, code: "provider_unavailable" });
    expect(refused.message).toContain("Loopback CRM");
    expect(await row(id)).toEqual(before);

    await provider.configure({ down: false, accessTokenTtlSeconds: 3600 });
    const credentials = await h.api.connections.credentials({ id });
    expect(credentials.type === "oauth2" && (await accessTokenWorks(credentials.accessToken))).toBe(true);
  });

  it("a provider outage still hands out a token that has not expired yet", async () => {
    const tenant = await h.api.tenants.create({ name: "Grace Co" });
    await provider.configure({ accessTokenTtlSeconds: 2 });
    const id = await connect(tenant.id);
    clock.advance(1100);
    await provider.configure({ down: true });
    const credentials = await h.api.connections.credentials({ id });
    expect(credentials).toMatchObject({ type: "oauth2", accessToken: (await storedTokens(id)).accessToken });
  });

  it("the periodic refresher renews tokens ahead of expiry, one refresh per connection even when two passes overlap", async () => {
    const tenant = await h.api.tenants.create({ name: "Refresher Co" });
    await provider.configure({ accessTokenTtlSeconds: 2 });
    const id = await connect(tenant.id);
    const before = await storedTokens(id);
    await provider.configure({ accessTokenTtlSeconds: 3600 });
    clock.advance(1100);
    const grants = (await provider.stats()).refreshGrants;
    const snapshot = async () =>
      new Map(
        (await h.handle.db.select().from(connections))
          .filter((c) => c.credentialsSealed)
          .map((c) => [c.id, c.credentialsSealed]),
      );
    const sealedBefore = await snapshot();
    await provider.configure({ tokenDelayMs: 200 });
    const runs = await Promise.all([
      refreshExpiringConnections(browserContext(), { requestId: "pass-1" }),
      refreshExpiringConnections(browserContext(), { requestId: "pass-2" }),
    ]);
    expect(runs.some((run) => run.ran && run.refreshed > 0)).toBe(true);
    const after = await storedTokens(id);
    expect(after.accessToken).not.toBe(before.accessToken);
    // Each refresh at the provider renewed a different connection: none was refreshed twice.
    const sealedAfter = await snapshot();
    const renewed = [...sealedAfter].filter(([cid, sealed]) => sealedBefore.get(cid) !== sealed).length;
    expect((await provider.stats()).refreshGrants - grants).toBe(renewed);
    expect((await row(id)).status).toBe("connected");
  });
});

describe("disconnect and isolation", () => {
  it("revokes the grant at the provider and wipes the tokens", async () => {
    const tenant = await h.api.tenants.create({ name: "Revoke Co" });
    const id = await connect(tenant.id);
    const tokens = await storedTokens(id);
    const revocations = (await provider.stats()).revocations;
    expect(await h.api.connections.delete({ id })).toMatchObject({ status: "disconnected" });
    expect((await provider.stats()).revocations).toBe(revocations + 1);
    expect((await row(id)).credentialsSealed).toBeNull();
    const refresh = await fetch(`${provider.url}/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${btoa(`${provider.clientId}:${provider.clientSecret}`)}`,
      },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refreshToken! }),
    });
    expect(refresh.status).toBe(400);
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id });
    expect(log.items.find((e) => e.action === "connection.disconnected")?.changes.after).toMatchObject({
      revocation: "revoked",
    });
  });

  it("a tenant's access token never reaches another tenant's connection", async () => {
    const created = await h.api.signingKeys.create({ algorithm: "HS256", name: `k-${Date.now()}` });
    const jwt = await new SignJWT({ sub: `host-${Date.now()}`, scope: "connections:read connections:write" })
      .setProtectedHeader({ alg: "HS256", kid: created.id })
      // On the harness's clock, which the tests move ahead of the real one.
      .setIssuedAt(clock.now())
      .setExpirationTime(new Date(clock.now().getTime() + 10 * 60_000))
      .sign(new TextEncoder().encode(created.secret!));
    const mine = h.callerWith({ authorization: `Bearer ${jwt}` });
    const me = await mine.accessTokens.me();
    const other = await h.api.tenants.create({ name: "Victim Co" });
    const theirs = await connect(other.id);
    for (const call of [
      () => mine.connections.reauthorize({ id: theirs }),
      () => mine.connections.get({ id: theirs }),
      () => mine.connections.delete({ id: theirs }),
      () => mine.connections.create({ tenantId: other.id, appKey }),
    ]) {
      expect(await failure(call())).toMatchObject({ status: 404 });
    }
    expect(await failure(mine.connections.credentials({ id: theirs }))).toMatchObject({ status: 403 });
    expect((await row(theirs)).status).toBe("connected");
    const own = await mine.connections.create({ tenantId: me.tenant.id, appKey });
    expect((await start(own.authorizationUrl!)).location).toContain(provider.url);
  });
});
