import type { TokenEndpointAuthMethod } from "@tenantry/contracts/apps";
import { connections } from "@tenantry/db/schema/connections";
import {
  appSettingsForClient,
  type ProviderProcess,
  startProviderProcess,
} from "@tenantry/oauth-provider/process";
import type { ProviderClient } from "@tenantry/oauth-provider/provider";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, HARNESS_PUBLIC_URL, type Harness } from "../testing/harness";
import { completeAuthorization, startAuthorization } from "./oauth";

/**
 * Each way a client authenticates at the token endpoint, against a provider (its own process, over
 * HTTP) that requires exactly that way of that client and refuses any other.
 */
const CLIENTS: Record<TokenEndpointAuthMethod, ProviderClient> = {
  client_secret_basic: {
    id: "basic-client",
    secret: "basic secret+/:",
    tokenEndpointAuthMethod: "client_secret_basic",
  },
  client_secret_post: {
    id: "post-client",
    secret: "post-secret",
    tokenEndpointAuthMethod: "client_secret_post",
  },
  none: { id: "public-client", tokenEndpointAuthMethod: "none" },
};

let provider: ProviderProcess;
let h: Harness;
const clock = testClock(Date.now());

beforeAll(async () => {
  [provider, h] = await Promise.all([
    startProviderProcess({ autoApprove: true, clients: Object.values(CLIENTS) }),
    createHarness({ clock }),
  ]);
  for (const [method, client] of Object.entries(CLIENTS)) {
    await h.api.apps.create({
      key: method.replaceAll("_", "-"),
      name: `Loopback ${method}`,
      authType: "oauth2",
      oauth2: appSettingsForClient(provider, client),
    });
  }
});
afterAll(async () => {
  await Promise.all([provider?.stop(), h?.close()]);
});

const browserContext = () => ({
  db: h.handle.db,
  keyring: h.keyring,
  clock,
  publicUrl: HARNESS_PUBLIC_URL,
  requestId: "test-request",
});

/** Creates a connection and takes one browser through start, the provider's approval and the callback. */
async function connect(appKey: string) {
  const tenant = await h.api.tenants.create({ name: `Auth ${appKey} ${Math.random()}` });
  const created = await h.api.connections.create({ tenantId: tenant.id, appKey });
  const started = await startAuthorization(browserContext(), {
    flow: new URL(created.authorizationUrl!).searchParams.get("flow")!,
  });
  if (started.kind !== "redirect") throw new Error(JSON.stringify(started.result));
  const back = new URL((await fetch(started.location, { redirect: "manual" })).headers.get("location")!);
  const result = await completeAuthorization(browserContext(), {
    code: back.searchParams.get("code")!,
    state: back.searchParams.get("state")!,
    binding: started.nonce,
  });
  return { id: created.id, result };
}

async function accessTokenWorks(accessToken: string): Promise<boolean> {
  const response = await fetch(`${provider.url}/userinfo`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return response.ok;
}

describe.each(Object.keys(CLIENTS) as TokenEndpointAuthMethod[])("tokenEndpointAuthMethod %s", (method) => {
  const appKey = method.replaceAll("_", "-");

  it("connects, refreshes and revokes at a provider that requires exactly this method", async () => {
    const app = (await h.api.apps.list()).items.find((a) => a.key === appKey)!;
    expect(app.oauth2).toMatchObject({ tokenEndpointAuthMethod: method, hasClientSecret: method !== "none" });

    const { id, result } = await connect(appKey);
    expect(result).toMatchObject({ status: "connected", connectionId: id });
    const first = await h.api.connections.credentials({ id });
    expect(first.type === "oauth2" && (await accessTokenWorks(first.accessToken))).toBe(true);

    // An hour-long token is due two minutes before it expires: move the clock there, then read.
    const stats = await provider.stats();
    clock.advance(59 * 60_000);
    const renewed = await h.api.connections.credentials({ id });
    expect((await provider.stats()).refreshGrants).toBe(stats.refreshGrants + 1);
    expect(renewed.type === "oauth2" && renewed.accessToken).not.toBe(
      first.type === "oauth2" && first.accessToken,
    );
    expect(renewed.type === "oauth2" && (await accessTokenWorks(renewed.accessToken))).toBe(true);

    expect(await h.api.connections.delete({ id })).toMatchObject({ status: "disconnected" });
    expect((await provider.stats()).revocations).toBe(stats.revocations + 1);
    const log = await h.api.activity.listForTenant({
      tenantId: (await h.api.connections.get({ id })).tenantId,
    });
    expect(log.items.find((e) => e.action === "connection.disconnected")?.changes.after).toMatchObject({
      revocation: "revoked",
    });
  });
});

describe("the wrong method", () => {
  it("is refused by the provider: the sign-in fails and the connection stays pending", async () => {
    // The post client, but Tenantry told to use HTTP Basic (the default) with its secret.
    const { clientSecret, ...settings } = appSettingsForClient(provider, CLIENTS.client_secret_post);
    await h.api.apps.create({
      key: "wrong-method",
      name: "Wrong method",
      authType: "oauth2",
      oauth2: { ...settings, clientSecret: clientSecret!, tokenEndpointAuthMethod: "client_secret_basic" },
    });
    const failed = (await provider.stats()).failedGrants;
    const { id, result } = await connect("wrong-method");
    expect(result).toMatchObject({ status: "error", httpStatus: 400, error: { code: "provider_error" } });
    expect(result.error?.message).toContain("invalid_client");
    expect((await provider.stats()).failedGrants).toBe(failed + 1);
    const [row] = await h.handle.db.select().from(connections).where(eq(connections.id, id));
    expect(row).toMatchObject({ status: "pending", credentialsSealed: null });
  });

  it("a refresh refused for client authentication answers 502 provider_error and keeps the connection", async () => {
    const { id } = await connect("client-secret-post");
    // The app is switched to Basic after it connected: the next refresh authenticates the wrong way.
    const app = (await h.api.apps.list()).items.find((a) => a.key === "client-secret-post")!;
    await h.api.apps.update({ id: app.id, oauth2: { tokenEndpointAuthMethod: "client_secret_basic" } });
    clock.advance(59 * 60_000);
    expect(await failure(h.api.connections.credentials({ id }))).toMatchObject({
      status: 502,
      code: "provider_error",
    });
    const [row] = await h.handle.db.select().from(connections).where(eq(connections.id, id));
    expect(row?.status).toBe("connected");
    await h.api.apps.update({ id: app.id, oauth2: { tokenEndpointAuthMethod: "client_secret_post" } });
    expect((await h.api.connections.credentials({ id })).type).toBe("oauth2");
  });
});

describe("an OpenID provider", () => {
  it("adding an ID token from an issuer Tenantry does not know does not spoil the sign-in", async () => {
    await provider.configure({ issueIdToken: true });
    try {
      const { id, result } = await connect("client-secret-basic");
      expect(result).toMatchObject({ status: "connected", connectionId: id });
      expect((await h.api.connections.credentials({ id })).type).toBe("oauth2");
    } finally {
      await provider.configure({ issueIdToken: false });
    }
  });
});

describe("app settings", () => {
  const base = { authorizeUrl: "https://p.example/a", tokenUrl: "https://p.example/t", clientId: "c" };

  it("a confidential client needs a secret; a public client may not have one", async () => {
    expect(
      await failure(
        h.api.apps.create({ key: "no-secret", name: "No secret", authType: "oauth2", oauth2: base }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_input" });
    expect(
      await failure(
        h.api.apps.create({
          key: "public-with-secret",
          name: "Public with a secret",
          authType: "oauth2",
          oauth2: { ...base, clientSecret: "s", tokenEndpointAuthMethod: "none" },
        }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_input" });
    expect((await h.api.apps.list()).items.map((a) => a.key)).not.toContain("no-secret");
    expect((await h.api.apps.list()).items.map((a) => a.key)).not.toContain("public-with-secret");
  });

  it("becoming a public client drops the stored secret; leaving it again needs a new one", async () => {
    const app = await h.api.apps.create({
      key: "switcher",
      name: "Switcher",
      authType: "oauth2",
      oauth2: { ...base, clientSecret: "s" },
    });
    expect(app.oauth2).toMatchObject({
      tokenEndpointAuthMethod: "client_secret_basic",
      hasClientSecret: true,
    });
    const publicApp = await h.api.apps.update({ id: app.id, oauth2: { tokenEndpointAuthMethod: "none" } });
    expect(publicApp.oauth2).toMatchObject({ tokenEndpointAuthMethod: "none", hasClientSecret: false });
    expect(
      await failure(
        h.api.apps.update({ id: app.id, oauth2: { tokenEndpointAuthMethod: "client_secret_post" } }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_input" });
    expect((await h.api.apps.get({ id: app.id })).oauth2?.tokenEndpointAuthMethod).toBe("none");
    const again = await h.api.apps.update({
      id: app.id,
      oauth2: { tokenEndpointAuthMethod: "client_secret_post", clientSecret: "s2" },
    });
    expect(again.oauth2).toMatchObject({
      tokenEndpointAuthMethod: "client_secret_post",
      hasClientSecret: true,
    });
  });
});
