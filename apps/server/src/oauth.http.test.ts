import { testClock } from "@tenantry/api/testing";
import { appSettingsFor, type ProviderProcess, startProviderProcess } from "@tenantry/oauth-provider/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthBrowser } from "./testing/oauth-browser";
import { startTestServer, type TestServer } from "./testing/test-server";

/** The OAuth2 flow over real HTTP: Tenantry's server, and a provider in its own process. */
let s: TestServer;
let provider: ProviderProcess;

const HOST = "http://host.example:5173";
/** What the server's token expiry and refresh windows read: moved instead of waiting for a token to age. */
const clock = testClock(Date.now());

beforeAll(async () => {
  [s, provider] = await Promise.all([
    startTestServer({ clock }),
    startProviderProcess({ autoApprove: true }),
  ]);
  expect((await s.call("PUT", "/api/v1/allowed-origins", { origins: [HOST] })).status).toBe(200);
  const app = await s.call("POST", "/api/v1/apps", {
    key: "loopback",
    name: "Loopback CRM",
    authType: "oauth2",
    oauth2: appSettingsFor(provider),
  });
  expect(app.status).toBe(201);
});
afterAll(async () => {
  await Promise.all([s?.close(), provider?.stop()]);
});

async function startConnection(body: Record<string, unknown> = {}) {
  const tenant = (await (await s.call("POST", "/api/v1/tenants", { name: `T ${Math.random()}` })).json()) as {
    id: string;
  };
  const created = await s.call("POST", `/api/v1/tenants/${tenant.id}/connections`, {
    appKey: "loopback",
    ...body,
  });
  expect(created.status).toBe(201);
  return { tenantId: tenant.id, ...((await created.json()) as { id: string; authorizationUrl: string }) };
}

/**
 * What the browser does: opens Tenantry's start URL (which binds the attempt to it), the provider
 * approves and redirects to Tenantry's callback; the browser is what follows it there.
 */
async function signIn(authorizationUrl: string, browser = oauthBrowser(s.url)) {
  const url = await browser.callbackUrl(authorizationUrl);
  expect(url.startsWith(`${s.url}/oauth/callback?`)).toBe(true);
  return { url, browser, callback: () => browser.visit(url) };
}

async function connectionStatus(id: string): Promise<string> {
  return ((await (await s.call("GET", `/api/v1/connections/${id}`)).json()) as { status: string }).status;
}

function resultOf(page: string): Record<string, unknown> {
  const json = page.match(
    /<script type="application\/json" id="tenantry-oauth-result">(.*?)<\/script>/s,
  )?.[1];
  return JSON.parse(json!) as Record<string, unknown>;
}

describe("GET /oauth/callback", () => {
  it("connects and answers a strict-CSP page that posts only to the exact origin that started it", async () => {
    const started = await startConnection({ returnTo: `${HOST}/integrations` });
    const callback = await (await signIn(started.authorizationUrl)).callback();
    expect(callback.status).toBe(200);
    expect(callback.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(callback.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(callback.headers.get("cache-control")).toBe("no-store");
    expect(callback.headers.get("referrer-policy")).toBe("no-referrer");
    const page = await callback.text();
    expect(page).not.toMatch(/<script>(?!<\/script>)/);
    // Started with an API key from no browser origin: the result may only go to Tenantry's own origin.
    expect(resultOf(page)).toMatchObject({
      type: "tenantry:oauth-result",
      status: "connected",
      connectionId: started.id,
      origin: s.url,
      returnTo: `${HOST}/integrations`,
    });
    const script = await fetch(`${s.url}/oauth/callback.js`);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toContain("postMessage(message, result.origin)");

    const connection = (await (await s.call("GET", `/api/v1/connections/${started.id}`)).json()) as {
      status: string;
    };
    expect(connection.status).toBe("connected");
    const credentials = await s.call("GET", `/api/v1/connections/${started.id}/credentials`);
    expect(await credentials.json()).toMatchObject({ type: "oauth2", tokenType: "Bearer" });
    // Neither the code nor the state reach the request log.
    expect(s.logs.join("\n")).not.toMatch(/code=|state=/);
  });

  it("answers a replayed or altered state with 400 and changes nothing", async () => {
    const started = await startConnection();
    const { url, browser } = await signIn(started.authorizationUrl);
    const altered = new URL(url);
    altered.searchParams.set("state", `${altered.searchParams.get("state")}x`);
    const refused = await browser.visit(altered.toString());
    expect(refused.status).toBe(400);
    expect(resultOf(await refused.text())).toMatchObject({
      status: "error",
      error: { code: "invalid_state" },
    });
    expect((await browser.visit(url)).status).toBe(200);
    const replay = await browser.visit(url);
    expect(replay.status).toBe(400);
    expect(resultOf(await replay.text())).toMatchObject({ error: { code: "invalid_state" } });
  });

  it("tells the user in plain words when they deny access at the provider", async () => {
    const started = await startConnection();
    const browser = oauthBrowser(s.url);
    const state = new URL(await browser.start(started.authorizationUrl)).searchParams.get("state")!;
    const denied = await browser.visit(
      `${s.url}/oauth/callback?error=access_denied&error_description=The+user+said+no&state=${encodeURIComponent(state)}`,
    );
    expect(denied.status).toBe(400);
    const page = await denied.text();
    expect(page).toContain("Could not connect");
    expect(page).toContain("The user said no");
    const connection = (await (await s.call("GET", `/api/v1/connections/${started.id}`)).json()) as {
      status: string;
    };
    expect(connection.status).toBe("pending");
  });
});

describe("bound to the browser that started the sign-in", () => {
  it("the start URL gives the browser an HttpOnly, SameSite=Lax cookie and sends it on to the provider", async () => {
    const started = await startConnection();
    expect(started.authorizationUrl).toMatch(new RegExp(`^${s.url}/oauth/start\\?flow=[A-Za-z0-9._-]+$`));
    const response = await oauthBrowser(s.url).visit(started.authorizationUrl);
    expect(response.status).toBe(302);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const cookie = response.headers.get("set-cookie")!;
    // Plain http here; on https the cookie is `__Host-tenantry_oauth_binding` and Secure.
    expect(cookie).toMatch(
      /^tenantry_oauth_binding=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/,
    );
    const authorize = new URL(response.headers.get("location")!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(appSettingsFor(provider).authorizeUrl);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${s.url}/oauth/callback`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    // The code and the state never reach the request log; the flow token neither.
    expect(s.logs.join("\n")).not.toMatch(/flow=|state=/);
  });

  it("refuses a callback brought back by another browser (no cookie, or its own) with 400, and changes nothing", async () => {
    const started = await startConnection({ returnTo: `${HOST}/x` });
    // The member opens their link, and sends the provider's page on to someone else who approves.
    const member = await signIn(started.authorizationUrl);
    const stranger = oauthBrowser(s.url);
    const strangerWithCookie = (await signIn((await startConnection()).authorizationUrl)).browser;
    for (const browser of [stranger, strangerWithCookie]) {
      const refused = await browser.visit(member.url);
      expect(refused.status).toBe(400);
      expect(refused.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(resultOf(await refused.text())).toMatchObject({
        status: "error",
        error: { code: "invalid_state" },
      });
      expect(await connectionStatus(started.id)).toBe("pending");
    }
    expect(stranger.cookies.size).toBe(0);
    // The member's own browser still finishes it.
    const callback = await member.callback();
    expect(callback.status).toBe(200);
    expect(resultOf(await callback.text())).toMatchObject({ status: "connected", connectionId: started.id });
    expect(await connectionStatus(started.id)).toBe("connected");
  });

  it("binds the start URL to the first browser that opens it: forwarded afterwards, it is refused", async () => {
    const started = await startConnection();
    const first = oauthBrowser(s.url);
    const providerUrl = await first.start(started.authorizationUrl);
    const forwarded = await oauthBrowser(s.url).visit(started.authorizationUrl);
    expect(forwarded.status).toBe(400);
    expect(forwarded.headers.get("set-cookie")).toBeNull();
    expect(resultOf(await forwarded.text())).toMatchObject({ error: { code: "invalid_state" } });
    // A reload in the first browser is fine, and the sign-in completes there.
    expect(new URL(await first.start(started.authorizationUrl)).searchParams.get("client_id")).toBe(
      new URL(providerUrl).searchParams.get("client_id"),
    );
    expect((await first.visit(await first.approve(providerUrl))).status).toBe(200);
    expect(await connectionStatus(started.id)).toBe("connected");
  });

  it("binds nothing when a page loads the start URL as an image, a fetch or a frame", async () => {
    const started = await startConnection();
    for (const destination of ["image", "empty", "iframe"]) {
      const refused = await oauthBrowser(s.url).visit(started.authorizationUrl, {
        "sec-fetch-dest": destination,
      });
      expect(refused.status).toBe(400);
      expect(refused.headers.get("set-cookie")).toBeNull();
    }
    const browser = oauthBrowser(s.url);
    await browser.start(started.authorizationUrl);
    expect(
      (await browser.visit(await browser.approve(await browser.start(started.authorizationUrl)))).status,
    ).toBe(200);
  });
});

describe("credentials over REST", () => {
  it("answers 409 needs_reauth after invalid_grant, and 503 provider_unavailable in an outage", async () => {
    await provider.configure({ accessTokenTtlSeconds: 1 });
    const revoked = await startConnection();
    await (await signIn(revoked.authorizationUrl)).callback();
    const down = await startConnection();
    await (await signIn(down.authorizationUrl)).callback();
    await provider.configure({ accessTokenTtlSeconds: 3600 });
    clock.advance(1100);

    await provider.configure({ down: true });
    const outage = await s.call("GET", `/api/v1/connections/${down.id}/credentials`);
    expect(outage.status).toBe(503);
    expect(await outage.json()).toMatchObject({ code: "provider_unavailable", connectionId: down.id });
    await provider.configure({ down: false });

    await provider.revokeAllGrants();
    const reauth = await s.call("GET", `/api/v1/connections/${revoked.id}/credentials`);
    expect(reauth.status).toBe(409);
    expect(await reauth.json()).toMatchObject({ code: "needs_reauth" });

    const again = await s.call("POST", `/api/v1/connections/${revoked.id}/reauthorize`, {
      returnTo: `${HOST}/x`,
    });
    expect(again.status).toBe(200);
    const { authorizationUrl } = (await again.json()) as { authorizationUrl: string };
    expect((await (await signIn(authorizationUrl)).callback()).status).toBe(200);
    expect((await s.call("GET", `/api/v1/connections/${revoked.id}/credentials`)).status).toBe(200);
  });
});
