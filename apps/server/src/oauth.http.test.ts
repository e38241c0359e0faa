import { appSettingsFor, type ProviderProcess, startProviderProcess } from "@tenantry/oauth-provider/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

/** The OAuth2 flow over real HTTP: Tenantry's server, and a provider in its own process. */
let s: TestServer;
let provider: ProviderProcess;
const HOST = "http://host.example:5173";

beforeAll(async () => {
  [s, provider] = await Promise.all([startTestServer(), startProviderProcess({ autoApprove: true })]);
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

/** What the browser does: the provider approves and redirects to Tenantry's callback. */
async function callbackUrl(authorizationUrl: string): Promise<string> {
  const approved = await fetch(authorizationUrl, { redirect: "manual" });
  const location = approved.headers.get("location")!;
  expect(location.startsWith(`${s.url}/oauth/callback?`)).toBe(true);
  return location;
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
    const callback = await fetch(await callbackUrl(started.authorizationUrl));
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
    const url = await callbackUrl(started.authorizationUrl);
    const altered = new URL(url);
    altered.searchParams.set("state", `${altered.searchParams.get("state")}x`);
    const refused = await fetch(altered);
    expect(refused.status).toBe(400);
    expect(resultOf(await refused.text())).toMatchObject({
      status: "error",
      error: { code: "invalid_state" },
    });
    expect((await fetch(url)).status).toBe(200);
    const replay = await fetch(url);
    expect(replay.status).toBe(400);
    expect(resultOf(await replay.text())).toMatchObject({ error: { code: "invalid_state" } });
  });

  it("tells the user in plain words when they deny access at the provider", async () => {
    const started = await startConnection();
    const state = new URL(started.authorizationUrl).searchParams.get("state")!;
    const denied = await fetch(
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

describe("credentials over REST", () => {
  it("answers 409 needs_reauth after invalid_grant, and 503 provider_unavailable in an outage", async () => {
    await provider.configure({ accessTokenTtlSeconds: 1 });
    const revoked = await startConnection();
    await fetch(await callbackUrl(revoked.authorizationUrl));
    const down = await startConnection();
    await fetch(await callbackUrl(down.authorizationUrl));
    await provider.configure({ accessTokenTtlSeconds: 3600 });
    await new Promise((resolve) => setTimeout(resolve, 1100));

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
    expect((await fetch(await callbackUrl(authorizationUrl))).status).toBe(200);
    expect((await s.call("GET", `/api/v1/connections/${revoked.id}/credentials`)).status).toBe(200);
  });
});
