import { createCaller, createContext } from "@tenantry/api";
import {
  bootstrapDefaultWorkspace,
  completeAuthorization,
  createApiKey,
  randomKeyring,
  type ServiceContext,
  startAuthorization,
  systemClock,
} from "@tenantry/api/server-runtime";
import { readConnectionCredentials } from "@tenantry/api/testing";
import { startOAuthProvider } from "@tenantry/oauth-provider/provider";
import { benchDatabase, benchDrivers, type Measurement, measure, report } from "./lib";

/**
 * Issue 6's target: the host backend's credential read (row + AES-GCM open) in process, p99 < 2 ms.
 * Measured on api_key connections and on OAuth2 connections with a fresh token (both read a row and
 * open it), and — for scale, not a target — reads that must refresh first at a loopback provider.
 */
const PUBLIC_URL = "http://127.0.0.1:4000";

for (const driver of benchDrivers()) {
  const handle = await benchDatabase(driver);
  const keyring = await randomKeyring();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db);
  const { key } = await createApiKey(handle.db, { workspaceId, name: "bench" });
  const ctx = createContext({
    db: handle.db,
    keyring,
    publicUrl: PUBLIC_URL,
    header: (n) => (n === "x-api-key" ? key : undefined),
  });
  const api = createCaller(ctx);
  await api.apps.create({ key: "stripe", name: "Stripe", authType: "api_key" });
  const connectionIds: string[] = [];
  for (let i = 0; i < 500; i++) {
    const tenant = await api.tenants.create({ name: `Tenant ${i}` });
    const connection = await api.connections.create({
      tenantId: tenant.id,
      appKey: "stripe",
      parameters: { apiKey: `sk_live_${i}_${"x".repeat(32)}` },
    });
    connectionIds.push(connection.id);
  }
  const actor = { type: "api_key" as const, workspaceId, apiKeyId: "bench" };
  const sc: ServiceContext = { db: handle.db, keyring, actor, requestId: "bench", clock: systemClock };

  const rows: Measurement[] = [];
  rows.push(
    await measure(`${driver}: service read (row + decrypt)`, (i) =>
      readConnectionCredentials(sc, connectionIds[i % connectionIds.length]!),
    ),
  );
  rows.push(
    await measure(`${driver}: tRPC caller (API key auth + row + decrypt)`, (i) =>
      api.connections.credentials({ id: connectionIds[i % connectionIds.length]! }),
    ),
  );

  // OAuth2: 500 connections made through the real flow against the loopback provider.
  const provider = await startOAuthProvider({ settings: { autoApprove: true, accessTokenTtlSeconds: 3600 } });
  await api.apps.create({
    key: "crm",
    name: "CRM",
    authType: "oauth2",
    oauth2: {
      authorizeUrl: `${provider.url}/authorize`,
      tokenUrl: `${provider.url}/token`,
      clientId: provider.clients[0]!.id,
      clientSecret: provider.clients[0]!.secret,
      scopes: ["read"],
    },
  });
  const oauthIds: string[] = [];
  const connectOAuth = async (name: string) => {
    const tenant = await api.tenants.create({ name });
    const created = await api.connections.create({ tenantId: tenant.id, appKey: "crm" });
    // The browser's part: Tenantry's start URL binds the attempt to its cookie, the provider approves.
    const browser = { db: handle.db, keyring, clock: systemClock, publicUrl: PUBLIC_URL, requestId: "bench" };
    const started = await startAuthorization(browser, {
      flow: new URL(created.authorizationUrl!).searchParams.get("flow")!,
    });
    if (started.kind !== "redirect") throw new Error(`OAuth start failed: ${JSON.stringify(started.result)}`);
    const back = new URL((await fetch(started.location, { redirect: "manual" })).headers.get("location")!);
    const result = await completeAuthorization(browser, {
      code: back.searchParams.get("code")!,
      state: back.searchParams.get("state")!,
      binding: started.nonce,
    });
    if (result.status !== "connected") throw new Error(`OAuth flow failed: ${JSON.stringify(result.error)}`);
    return created.id;
  };
  for (let i = 0; i < 500; i++) oauthIds.push(await connectOAuth(`OAuth tenant ${i}`));
  rows.push(
    await measure(`${driver}: oauth2, fresh token, service read (row + decrypt)`, (i) =>
      readConnectionCredentials(sc, oauthIds[i % oauthIds.length]!),
    ),
  );
  rows.push(
    await measure(`${driver}: oauth2, fresh token, tRPC caller`, (i) =>
      api.connections.credentials({ id: oauthIds[i % oauthIds.length]! }),
    ),
  );
  // Tokens that live 2 s are due after 1 s: each read below refreshes at the provider first.
  provider.settings.accessTokenTtlSeconds = 2;
  const expiring: string[] = [];
  for (let i = 0; i < 200; i++) expiring.push(await connectOAuth(`Expiring tenant ${i}`));
  provider.settings.accessTokenTtlSeconds = 3600;
  await new Promise((resolve) => setTimeout(resolve, 1100));
  rows.push(
    await measure(
      `${driver}: oauth2, read that refreshes at a loopback provider`,
      (i) => readConnectionCredentials(sc, expiring[i]!),
      { iterations: 180, warmup: 20 },
    ),
  );
  await provider.close();
  report(`Connection credential read, in process (${driver}, 500 api_key + 500 oauth2 connections)`, rows);
  await handle.close();
}
