import { testDriver, withDatabase } from "@tenantry/db/test-database";
import { SignJWT } from "jose";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerRun, startServerProcess } from "./testing/server-process";

/**
 * The freshness promise across processes: two real server processes on one PostgreSQL database,
 * each with its own per-process caches. A change made through process A (or straight in the
 * database) counts on the very next request to process B, which had the old state cached; and a
 * dropped listening connection leaves nothing stale behind.
 */
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");
const KEY = `tnt_sk_${"f".repeat(40)}`;
const ROUNDS = 10;

describe.runIf(testDriver() === "postgres")("auth caches across two processes", () => {
  const name = `tenantry_fresh_${Math.random().toString(36).slice(2, 10)}`;
  let admin: ReturnType<typeof postgres>;
  let db: ReturnType<typeof postgres>;
  let a: ServerRun & { url: string };
  let b: ServerRun & { url: string };
  let signing: { id: string; secret: Uint8Array };

  const call = (
    server: { url: string },
    method: string,
    path: string,
    body?: unknown,
    bearer = KEY,
  ): Promise<Response> =>
    fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = async <T>(response: Promise<Response>, status = 200): Promise<T> => {
    const answer = await response;
    const text = await answer.text();
    expect(answer.status, text).toBe(status);
    return (text ? JSON.parse(text) : null) as T;
  };
  const statusOf = async (response: Promise<Response>) => {
    const answer = await response;
    await answer.arrayBuffer();
    return answer.status;
  };
  const token = (sub: string, user: string, kid = signing.id, secret = signing.secret) =>
    new SignJWT({ user: { id: user } })
      .setProtectedHeader({ alg: "HS256", kid })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(secret);
  const unique = () => Math.random().toString(36).slice(2, 10);
  /**
   * Two calls a moment apart: the first read may race the notification of the key's own insert,
   * which (rightly) keeps it from filling B's cache; the second then fills it.
   */
  const warm = async (server: { url: string }, bearer: string) => {
    expect(await statusOf(call(server, "GET", "/api-keys", undefined, bearer))).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await statusOf(call(server, "GET", "/api-keys", undefined, bearer))).toBe(200);
  };

  /** Listening connections of this database's server processes, idle in their LISTEN. */
  const listeners = async () =>
    Number(
      (
        await db`select count(*) as n from pg_stat_activity
          where datname = ${name} and application_name = 'tenantry-listener'`
      )[0]!.n,
    );

  beforeAll(async () => {
    admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const databaseUrl = withDatabase(process.env.DATABASE_URL!, name);
    const env = {
      DATABASE_URL: databaseUrl,
      TENANTRY_BOOTSTRAP_API_KEY: KEY,
      TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
    };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
    db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    const created = await json<{ id: string; secret: string }>(
      call(a, "POST", "/signing-keys", { algorithm: "HS256" }),
      201,
    );
    signing = { id: created.id, secret: new TextEncoder().encode(created.secret) };
  }, 120_000);
  afterAll(async () => {
    for (const server of [a, b]) {
      if (server && server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill("SIGTERM");
        await server.exited;
      }
    }
    await db?.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  });

  it("caches in process B: a revocation no trigger reports goes unseen, until the notification", async () => {
    const created = await json<{ id: string; key: string }>(
      call(a, "POST", "/api-keys", { name: "control" }),
      201,
    );
    await warm(b, created.key);
    // Behind the triggers' back (what a cache without notifications would never learn)…
    await db.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update api_keys set revoked_at = now() where id = ${created.id}`;
    });
    expect(await statusOf(call(b, "GET", "/api-keys", undefined, created.key))).toBe(200);
    // …and what every trigger sends: the workspace's notification.
    const [workspace] = await db`select workspace_id from api_keys where id = ${created.id}`;
    await db`select pg_notify('tenantry_invalidation', ${workspace!.workspace_id})`;
    expect(await statusOf(call(b, "GET", "/api-keys", undefined, created.key))).toBe(401);
  });

  it("refuses an API key revoked through process A on the very next request to process B", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const created = await json<{ id: string; key: string }>(
        call(a, "POST", "/api-keys", { name: `round ${round}` }),
        201,
      );
      await warm(b, created.key);
      await json(call(a, "DELETE", `/api-keys/${created.id}`));
      expect(await statusOf(call(b, "GET", "/api-keys", undefined, created.key))).toBe(401);
    }
  });

  it("refuses a member suspended, or a signing key revoked, through A on B's next request", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const internalId = `fresh-${unique()}`;
      const tenant = await json<{ id: string }>(
        call(a, "POST", "/tenants", { name: "Fresh", internalId }),
        201,
      );
      const externalId = `host-${unique()}`;
      const member = await json<{ userId: string }>(
        call(a, "POST", `/tenants/${tenant.id}/memberships`, {
          email: `${externalId}@example.com`,
          externalId,
          status: "active",
        }),
        201,
      );
      const memberToken = await token(internalId, externalId);
      expect(await statusOf(call(b, "GET", "/me", undefined, memberToken))).toBe(200);
      expect(await statusOf(call(b, "GET", "/me", undefined, memberToken))).toBe(200);
      await json(
        call(a, "PATCH", `/tenants/${tenant.id}/memberships/${member.userId}`, { status: "suspended" }),
      );
      const refused = await call(b, "GET", "/me", undefined, memberToken);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { code: string }).code).toBe("member_inactive");

      const extra = await json<{ id: string; secret: string }>(
        call(a, "POST", "/signing-keys", { algorithm: "HS256" }),
        201,
      );
      const otherKeyToken = await token(
        internalId,
        externalId,
        extra.id,
        new TextEncoder().encode(extra.secret),
      );
      await json(
        call(a, "PATCH", `/tenants/${tenant.id}/memberships/${member.userId}`, { status: "active" }),
      );
      expect(await statusOf(call(b, "GET", "/me", undefined, otherKeyToken))).toBe(200);
      expect(await statusOf(call(b, "GET", "/me", undefined, otherKeyToken))).toBe(200);
      await json(call(a, "DELETE", `/signing-keys/${extra.id}`));
      expect(await statusOf(call(b, "GET", "/me", undefined, otherKeyToken))).toBe(401);
    }
  });

  it("answers B's authz check from a role's permissions as changed through A", async () => {
    const tenant = await json<{ id: string }>(call(a, "POST", "/tenants", { name: "Roles" }), 201);
    const externalId = `host-${unique()}`;
    const member = await json<{ userId: string }>(
      call(a, "POST", `/tenants/${tenant.id}/memberships`, {
        email: `${externalId}@example.com`,
        externalId,
        status: "active",
        roles: [],
      }),
      201,
    );
    const role = await json<{ id: string; key: string }>(
      call(a, "POST", "/roles", {
        key: `auditor-${unique()}`,
        name: "Auditor",
        permissions: ["fields:read"],
      }),
      201,
    );
    await json(
      call(a, "POST", `/tenants/${tenant.id}/role-bindings`, {
        roleId: role.id,
        subject: { type: "user", id: member.userId },
      }),
      201,
    );
    for (let round = 0; round < ROUNDS; round++) {
      const permission = round % 2 === 0 ? "usage:read" : "fields:read";
      const check = () =>
        json<{ allowed: boolean }>(
          call(b, "POST", "/authz/check", {
            tenantId: tenant.id,
            userId: member.userId,
            permission: "usage:read",
          }),
        );
      const before = (await check()).allowed;
      await check();
      await json(call(a, "PATCH", `/roles/${role.id}`, { permissions: [permission] }));
      expect((await check()).allowed).toBe(permission === "usage:read");
      expect(before).toBe(round % 2 === 0 ? false : true);
    }
  });

  it("leaves nothing stale when the listening connections are terminated, and caches again after", async () => {
    const created = await json<{ id: string; key: string }>(
      call(a, "POST", "/api-keys", { name: "dropped" }),
      201,
    );
    expect(await statusOf(call(b, "GET", "/api-keys", undefined, created.key))).toBe(200);
    expect(await listeners()).toBe(2);
    await db`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = ${name} and application_name = 'tenantry-listener'`;
    // While nobody listens, a revocation no notification reaches: B must not answer from its cache.
    await db.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update api_keys set revoked_at = now() where id = ${created.id}`;
    });
    expect(await statusOf(call(b, "GET", "/api-keys", undefined, created.key))).toBe(401);

    // Both listen again within moments, and B caches again (the control shows it) and stays fresh.
    const deadline = Date.now() + 15_000;
    while ((await listeners()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await listeners()).toBe(2);
    const again = await json<{ id: string; key: string }>(
      call(a, "POST", "/api-keys", { name: "again" }),
      201,
    );
    await warm(b, again.key);
    await db.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update api_keys set name = 'cached', revoked_at = now() where id = ${again.id}`;
    });
    expect(await statusOf(call(b, "GET", "/api-keys", undefined, again.key))).toBe(200);
    await db`update api_keys set revoked_at = null where id = ${again.id}`;
    await db`update api_keys set revoked_at = now() where id = ${again.id}`;
    expect(await statusOf(call(b, "GET", "/api-keys", undefined, again.key))).toBe(401);
  });
});
