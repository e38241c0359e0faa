import { createApiKey } from "@tenantry/api/api-keys/service";
import { readConnectionCredentials } from "@tenantry/api/connections/service";
import { createContext } from "@tenantry/api/context";
import { createCaller } from "@tenantry/api/root";
import { randomKeyring } from "@tenantry/api/secrets/keyring";
import { bootstrapDefaultWorkspace } from "@tenantry/api/workspaces/bootstrap";
import { benchDatabase, benchDrivers, type Measurement, measure, report } from "./lib";

/**
 * Issue 6's target: the host backend's credential read (row + AES-GCM open) in process, p99 < 2 ms.
 * Measured on api_key connections; OAuth2 connections with a fresh token take the same path.
 */
for (const driver of benchDrivers()) {
  const handle = await benchDatabase(driver);
  const keyring = await randomKeyring();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db);
  const { key } = await createApiKey(handle.db, { workspaceId, name: "bench" });
  const ctx = createContext({ db: handle.db, keyring, header: (n) => (n === "x-api-key" ? key : undefined) });
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
  const sc = { db: handle.db, keyring, actor, requestId: "bench" } as Parameters<
    typeof readConnectionCredentials
  >[0];

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
  report(`Connection credential read, in process (${driver}, 500 connections)`, rows);
  await handle.close();
}
