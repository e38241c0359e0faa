import { rowsOf } from "@tenantry/db/database";
import { apiKeys } from "@tenantry/db/schema/api-keys";
import { tenants } from "@tenantry/db/schema/tenants";
import { testDriver } from "@tenantry/db/test-database";
import { eq, sql } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";
import type { InvalidationCache } from "./cache";

let h: Harness;
let cache: InvalidationCache;
let signing: { id: string; secret: Uint8Array };

beforeAll(async () => {
  h = await createHarness();
  cache = h.invalidation.cache!;
  const created = await h.api.signingKeys.create({ algorithm: "HS256" });
  signing = { id: created.id, secret: new TextEncoder().encode(created.secret!) };
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

function token(sub: string, claims: Record<string, unknown>, kid = signing.id, secret = signing.secret) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", kid })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(secret);
}

const as = (bearer: string) => h.callerWith({ authorization: `Bearer ${bearer}` });

/**
 * Calls until a call is answered from the cache. The first may not fill it: the key's own insert
 * notifies, and on PostgreSQL that notification may arrive while the first read is in flight, which
 * (rightly) refuses its fill.
 */
async function servedFromCache(call: () => Promise<unknown>) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const hits = cache.stats.hits;
    await call();
    if (cache.stats.hits > hits) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("never answered from the cache");
}

/** A write no trigger sees: what a cache without notifications would miss. */
async function withoutTriggers(
  write: (tx: Parameters<Parameters<Harness["handle"]["db"]["transaction"]>[0]>[0]) => Promise<unknown>,
) {
  await h.handle.db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await write(tx);
  });
}

async function tenantWithOwner() {
  const id = unique();
  const tenant = await h.api.tenants.create({
    name: `Cache ${id}`,
    internalId: `cache-${id}`,
    owner: { email: `owner-${id}@example.com`, externalId: `host-owner-${id}` },
  });
  return { tenant, internalId: `cache-${id}`, owner: `host-owner-${id}` };
}

describe("per-process caches kept fresh by notifications", () => {
  it("is on in the harness: a repeated authentication is a hit, and only a notification ends it", async () => {
    expect(cache.isListening).toBe(true);
    const { key, id } = await h.api.apiKeys.create({ name: `cached-${unique()}` });
    const caller = as(key);
    await servedFromCache(() => caller.apiKeys.list());
    // Revoked behind the triggers' back: the cached key still works, which is what the triggers prevent…
    await withoutTriggers((tx) =>
      tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id)),
    );
    await caller.apiKeys.list();
    // …and the workspace's notification, as any trigger sends it, ends it on the next request.
    await h.handle.db.execute(sql`select pg_notify('tenantry_invalidation', ${h.workspaceId})`);
    expect((await failure(caller.apiKeys.list())).code).toBe("unauthorized");
  });

  it("refuses a revoked API key on the very next request", async () => {
    const { key, id } = await h.api.apiKeys.create({ name: `revoked-${unique()}` });
    await as(key).apiKeys.list();
    await as(key).apiKeys.list();
    await h.api.apiKeys.revoke({ id });
    expect((await failure(as(key).apiKeys.list())).code).toBe("unauthorized");
  });

  it("refuses a suspended member's token, a revoked signing key's and a suspended tenant's, each at once", async () => {
    const { tenant, internalId, owner } = await tenantWithOwner();
    const externalId = `host-m-${unique()}`;
    const member = await h.api.members.create({
      tenantId: tenant.id,
      email: `${externalId}@example.com`,
      externalId,
      status: "active",
    });
    const memberToken = await token(internalId, { user: { id: externalId } });
    const ownerToken = await token(internalId, { user: { id: owner } });
    await as(memberToken).accessTokens.me();
    await as(memberToken).accessTokens.me();
    await h.api.members.patch({ tenantId: tenant.id, userId: member.userId, status: "suspended" });
    expect(await failure(as(memberToken).accessTokens.me())).toMatchObject({ code: "member_inactive" });

    const extra = await h.api.signingKeys.create({ algorithm: "HS256" });
    const extraToken = await token(
      internalId,
      { user: { id: owner } },
      extra.id,
      new TextEncoder().encode(extra.secret!),
    );
    await as(extraToken).accessTokens.me();
    await as(extraToken).accessTokens.me();
    await h.api.signingKeys.revoke({ id: extra.id });
    expect((await failure(as(extraToken).accessTokens.me())).code).toBe("unauthorized");

    await as(ownerToken).accessTokens.me();
    // A direct write counts as well: the trigger, not the service, sends the notification.
    await h.handle.db.update(tenants).set({ status: "suspended" }).where(eq(tenants.id, tenant.id));
    expect(await failure(as(ownerToken).accessTokens.me())).toMatchObject({ code: "tenant_inactive" });
  });

  it("answers authz.check and a member's permissions from the role as it is now", async () => {
    const { tenant, internalId } = await tenantWithOwner();
    const externalId = `host-r-${unique()}`;
    const member = await h.api.members.create({
      tenantId: tenant.id,
      email: `${externalId}@example.com`,
      externalId,
      status: "active",
      roles: [],
    });
    const role = await h.api.roles.create({
      key: `auditor-${unique()}`,
      name: "Auditor",
      permissions: ["fields:read"],
    });
    await h.api.roles.bind({
      tenantId: tenant.id,
      roleId: role.id,
      subject: { type: "user", id: member.userId },
    });
    const check = () =>
      h.api.roles.check({ tenantId: tenant.id, userId: member.userId, permission: "usage:read" });
    expect(await check()).toEqual({ allowed: false, reason: "no_role_grants_it" });
    expect(await check()).toEqual({ allowed: false, reason: "no_role_grants_it" });
    const memberToken = await token(internalId, { user: { id: externalId } });
    expect((await as(memberToken).accessTokens.me()).permissions).toEqual(["fields:read"]);
    await h.api.roles.update({ id: role.id, permissions: ["fields:read", "usage:read"] });
    expect(await check()).toEqual({ allowed: true, reason: `granted_by_role:${role.key}` });
    expect((await as(memberToken).accessTokens.me()).permissions).toEqual(["fields:read", "usage:read"]);
  });

  it.skipIf(testDriver() === "pglite")(
    "empties the cache when the listening connection drops, and caches again once it is back",
    async () => {
      const { key, id } = await h.api.apiKeys.create({ name: `dropped-${unique()}` });
      // Until a call is a hit: a fill racing the key's own insert notification is rightly refused.
      await servedFromCache(() => as(key).apiKeys.list());
      expect(cache.size).toBeGreaterThan(0);
      const terminated = rowsOf<{ done: boolean }>(
        await h.handle.db.execute(sql`
        select pg_terminate_backend(pid) as done from pg_stat_activity
        where application_name = 'tenantry-listener' and datname = current_database()`),
      );
      expect(terminated.map((row) => row.done)).toEqual([true]);
      await expect.poll(() => cache.isListening).toBe(false);
      expect(cache.size).toBe(0);
      // While nobody listens, a change no notification reaches: nothing cached may hide it.
      await withoutTriggers((tx) =>
        tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id)),
      );
      expect((await failure(as(key).apiKeys.list())).code).toBe("unauthorized");
      await expect.poll(() => cache.isListening, { timeout: 10_000 }).toBe(true);
      const again = await h.api.apiKeys.create({ name: `after-${unique()}` });
      await servedFromCache(() => as(again.key).apiKeys.list());
      await h.api.apiKeys.revoke({ id: again.id });
      expect((await failure(as(again.key).apiKeys.list())).code).toBe("unauthorized");
    },
  );
});
