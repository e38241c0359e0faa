import { createDb } from "@tenantry/db/create-db";
import { rowsOf } from "@tenantry/db/database";
import { testDriver } from "@tenantry/db/test-database";
import { appSettingsFor, type ProviderProcess, startProviderProcess } from "@tenantry/oauth-provider/process";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRASH_KEY, type CrashDatabase, type CrashServer, openCrashDatabase } from "./testing/crash-database";
import { oauthBrowser } from "./testing/oauth-browser";
import { apiCaller } from "./testing/server-process";

/**
 * An OAuth refresh with rotation cut by kill -9 (issue 18): the provider has issued new tokens (the
 * refresh token the server sent is spent) and the server dies before it stores them. The provider is
 * its own process and holds its answer back, so the kill lands inside that window every time.
 *
 * After the restart the next credential read finds the attempt the dead process committed before
 * calling the provider, and asks again with the previous refresh token: a provider with a reuse
 * interval answers with fresh tokens; a strict one refuses, and the connection needs the user again
 * with the reason `refresh_interrupted`.
 */
const TIMEOUT = 180_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`an OAuth refresh cut by kill -9 (${testDriver()})`, () => {
  let database: CrashDatabase;
  let provider: ProviderProcess;
  let server: CrashServer;
  const api = <T>(method: string, path: string, body?: unknown) =>
    apiCaller(server.url, CRASH_KEY).api<T>(method, path, body);
  const call = (method: string, path: string) => apiCaller(server.url, CRASH_KEY).call(method, path);

  beforeAll(async () => {
    [database, provider] = await Promise.all([
      openCrashDatabase("oauth-crash"),
      startProviderProcess({ autoApprove: true }),
    ]);
    server = await database.start();
    await api("POST", "/apps", {
      key: "loopback",
      name: "Loopback",
      authType: "oauth2",
      oauth2: appSettingsFor(provider, ["read"]),
    });
  }, TIMEOUT);

  afterAll(async () => {
    await Promise.all([database?.close(), provider?.stop()]);
  });

  /** A connected connection whose access token is due for refresh, and the token it has now. */
  async function expiringConnection(name: string): Promise<{ id: string; accessToken: string }> {
    const tenant = await api<{ id: string }>("POST", "/tenants", { name });
    // A 2 s token is due once less than half its life is left.
    await provider.configure({ accessTokenTtlSeconds: 2 });
    const created = await api<{ id: string; authorizationUrl: string }>(
      "POST",
      `/tenants/${tenant.id}/connections`,
      { appKey: "loopback" },
    );
    const browser = oauthBrowser(server.url);
    expect((await browser.visit(await browser.callbackUrl(created.authorizationUrl))).status).toBe(200);
    const first = await api<{ accessToken: string }>("GET", `/connections/${created.id}/credentials`);
    await provider.configure({ accessTokenTtlSeconds: 3600 });
    await sleep(1_200);
    return { id: created.id, accessToken: first.accessToken };
  }

  /** Starts a credential read that refreshes, and kills the server once the provider has issued. */
  async function killDuringRefresh(connectionId: string): Promise<number> {
    const before = (await provider.stats()).refreshGrants;
    await provider.configure({ holdRefreshAnswerMs: 5_000 });
    const reading = call("GET", `/connections/${connectionId}/credentials`).then(
      (answer) => answer,
      () => null,
    );
    const deadline = Date.now() + 10_000;
    while ((await provider.stats()).refreshGrants === before) {
      if (Date.now() > deadline) throw new Error("the provider never saw the refresh");
      await sleep(20);
    }
    await database.kill(server);
    // The read never got its answer: the provider was still holding it when the server died.
    expect(await reading).toBeNull();
    await provider.configure({ holdRefreshAnswerMs: 0 });
    server = await database.start();
    return before + 1;
  }

  it(
    "keeps the connection when the provider accepts the previous refresh token again (reuse interval)",
    async () => {
      await provider.configure({ refreshReuseIntervalMs: 60_000 });
      const connection = await expiringConnection("Grace Co");
      const issued = await killDuringRefresh(connection.id);

      const read = await call("GET", `/connections/${connection.id}/credentials`);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      const fresh = read.body as { accessToken: string };
      expect(fresh.accessToken).not.toBe(connection.accessToken);
      // Asked again exactly once, with the refresh token the dead process had sent.
      expect((await provider.stats()).refreshGrants).toBe(issued + 1);
      expect(await api("GET", `/connections/${connection.id}`)).toMatchObject({
        status: "connected",
        lastError: null,
      });
      // Stored: the next read hands out the same token without asking the provider.
      expect(await api("GET", `/connections/${connection.id}/credentials`)).toMatchObject({
        accessToken: fresh.accessToken,
      });
      expect((await provider.stats()).refreshGrants).toBe(issued + 1);
    },
    TIMEOUT,
  );

  it(
    "answers needs_reauth with the reason refresh_interrupted when the provider rotates strictly",
    async () => {
      await provider.configure({ refreshReuseIntervalMs: 0 });
      const connection = await expiringConnection("Strict Co");
      await killDuringRefresh(connection.id);

      const read = await call("GET", `/connections/${connection.id}/credentials`);
      expect(read).toMatchObject({
        status: 409,
        body: { code: "needs_reauth", connectionId: connection.id, reason: "refresh_interrupted" },
      });
      const row = await api<{ status: string; lastError: string }>("GET", `/connections/${connection.id}`);
      expect(row.status).toBe("needs_reauth");
      expect(row.lastError).toMatch(/^refresh_interrupted: /);
      // And so it stays, with its reason, until the user signs in again.
      expect(await call("GET", `/connections/${connection.id}/credentials`)).toMatchObject({
        status: 409,
        body: { reason: "refresh_interrupted" },
      });
    },
    TIMEOUT,
  );

  it(
    "leaves no refresh attempt behind",
    async () => {
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      const { databaseUrl, dataDir } = database;
      const handle = await createDb(databaseUrl ? { databaseUrl } : { dataDir });
      try {
        const left = rowsOf<{ count: number | string }>(
          await handle.db.execute(sql`select count(*) as count from connection_refresh_attempts`),
        );
        expect(Number(left[0]!.count)).toBe(0);
      } finally {
        await handle.close();
      }
    },
    TIMEOUT,
  );
});
