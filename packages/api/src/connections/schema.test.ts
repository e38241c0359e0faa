import { newId } from "@tenantry/db/ids";
import { apps, connections, oauthStates } from "@tenantry/db/schema/connections";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseErrorOf } from "../shared/db-errors";
import { createHarness, type Harness } from "../testing/harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/** The constraint a refused write violated, so a test cannot pass on some other failure. */
const violated = (error: unknown) => databaseErrorOf(error)?.constraint;

const oauth2Settings = {
  authorizeUrl: "http://127.0.0.1:1/authorize",
  tokenUrl: "http://127.0.0.1:1/token",
  clientId: "client",
  scopes: ["read"],
  pkce: true,
};

describe("connections schema", () => {
  it("refuses an oauth2 app without settings and an api_key app with them", async () => {
    const base = { workspaceId: h.workspaceId, name: "X" };
    await expect(
      h.handle.db.insert(apps).values({ ...base, id: newId("app"), key: "a1", authType: "oauth2" }),
    ).rejects.toSatisfy((error) => violated(error) === "apps_oauth2_settings_check");
    await expect(
      h.handle.db
        .insert(apps)
        .values({ ...base, id: newId("app"), key: "a2", authType: "api_key", oauth2: oauth2Settings }),
    ).rejects.toSatisfy((error) => violated(error) === "apps_oauth2_settings_check");
    const [row] = await h.handle.db.select({ n: count() }).from(apps);
    expect(row!.n).toBe(0);
  });

  it("keeps app keys unique per workspace and refuses an unknown connection status", async () => {
    const appId = newId("app");
    await h.handle.db.insert(apps).values({
      workspaceId: h.workspaceId,
      id: appId,
      key: "github",
      name: "GitHub",
      authType: "oauth2",
      oauth2: oauth2Settings,
    });
    await expect(
      h.handle.db.insert(apps).values({
        workspaceId: h.workspaceId,
        id: newId("app"),
        key: "github",
        name: "Again",
        authType: "basic",
      }),
    ).rejects.toSatisfy((error) => violated(error) === "apps_key_unique");

    const tenant = await h.api.tenants.create({ name: "Schema Co" });
    await expect(
      h.handle.db.insert(connections).values({
        workspaceId: h.workspaceId,
        id: newId("conn"),
        tenantId: tenant.id,
        appId,
        name: "c",
        status: "bogus" as "pending",
      }),
    ).rejects.toSatisfy((error) => violated(error) === "connections_status_check");
  });

  it("removes a connection's oauth states with the connection", async () => {
    const [app] = await h.handle.db.select().from(apps).where(eq(apps.key, "github"));
    const tenant = await h.api.tenants.create({ name: "Cascade Co" });
    const connectionId = newId("conn");
    await h.handle.db.insert(connections).values({
      workspaceId: h.workspaceId,
      id: connectionId,
      tenantId: tenant.id,
      appId: app!.id,
      name: "c",
    });
    await h.handle.db.insert(oauthStates).values({
      id: "state-1",
      workspaceId: h.workspaceId,
      connectionId,
      codeVerifierSealed: "sealed",
      expiresAt: new Date(Date.now() + 60_000),
    });
    await h.handle.db.delete(connections).where(eq(connections.id, connectionId));
    const [row] = await h.handle.db.select({ n: count() }).from(oauthStates);
    expect(row!.n).toBe(0);
  });
});
