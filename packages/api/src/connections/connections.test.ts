import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { activityLog } from "@tenantry/db/schema/activity";
import { connections } from "@tenantry/db/schema/connections";
import { count, eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DecryptionError } from "../secrets/keyring";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";
import { connectionCredentialsAad } from "./sealed-credentials";

let h: Harness;
let hs256: { id: string; secret: Uint8Array };
/** A real HTTP endpoint the test request hits: accepts only `X-Api-Key: good-key-123`. */
let checker: Server;
let checkerUrl: string;
let checkerHits = 0;

beforeAll(async () => {
  h = await createHarness();
  const created = await h.api.signingKeys.create({ algorithm: "HS256", name: "primary" });
  hs256 = { id: created.id, secret: new TextEncoder().encode(created.secret!) };
  checker = createServer((req, res) => {
    checkerHits++;
    res.statusCode = req.headers["x-api-key"] === "good-key-123" ? 200 : 401;
    res.end();
  });
  await new Promise<void>((resolve) => checker.listen(0, "127.0.0.1", resolve));
  checkerUrl = `http://127.0.0.1:${(checker.address() as AddressInfo).port}/me`;
  await h.api.apps.create({
    key: "stripe",
    name: "Stripe",
    authType: "api_key",
    parametersSchema: {
      type: "object",
      properties: {
        apiKey: { type: "string", minLength: 10, writeOnly: true },
        account: { type: "string" },
      },
      required: ["apiKey"],
    },
    testRequest: { url: checkerUrl, method: "GET", headers: { "X-Api-Key": "{{apiKey}}" } },
  });
  await h.api.apps.create({ key: "jira", name: "Jira", authType: "basic" });
});
afterAll(async () => {
  await new Promise((resolve) => checker.close(resolve));
  await h.close();
});

const unique = () => Math.random().toString(36).slice(2, 10);

async function tokenFor(sub: string, scope: string) {
  const jwt = await new SignJWT({ sub, scope })
    .setProtectedHeader({ alg: "HS256", kid: hs256.id })
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(hs256.secret);
  const caller = h.callerWith({ authorization: `Bearer ${jwt}` });
  const me = await caller.accessTokens.me();
  return { caller, tenantId: me.tenant.id };
}

async function connectionCount(): Promise<number> {
  const [row] = await h.handle.db.select({ n: count() }).from(connections);
  return row!.n;
}

describe("api_key and basic connections", () => {
  it("connects with valid parameters after a passing test request; reads never carry secrets", async () => {
    const tenant = await h.api.tenants.create({ name: "Conn Co" });
    const hitsBefore = checkerHits;
    const created = await h.api.connections.create({
      tenantId: tenant.id,
      appKey: "stripe",
      parameters: { apiKey: "good-key-123", account: "acct_1" },
    });
    expect(checkerHits).toBe(hitsBefore + 1);
    expect(created).toMatchObject({ tenantId: tenant.id, name: "Stripe", status: "connected" });
    expect(created.connectedAt).not.toBeNull();

    const reads = [
      created,
      await h.api.connections.get({ id: created.id }),
      await h.api.connections.listForTenant({ tenantId: tenant.id }),
      await h.api.activity.listForTenant({ tenantId: tenant.id }),
    ];
    expect(JSON.stringify(reads)).not.toContain("good-key-123");
    const [row] = await h.handle.db.select().from(connections).where(eq(connections.id, created.id));
    expect(row!.credentialsSealed).not.toContain("good-key-123");
    expect(JSON.stringify(await h.handle.db.select().from(activityLog))).not.toContain("good-key-123");

    expect(await h.api.connections.credentials({ id: created.id })).toEqual({
      type: "api_key",
      parameters: { apiKey: "good-key-123", account: "acct_1" },
    });
  });

  it("binds sealed credentials to their connection row", async () => {
    const tenant = await h.api.tenants.create({ name: "Bound Co" });
    const a = await h.api.connections.create({ tenantId: tenant.id, appKey: "jira", parameters: { u: 1 } });
    const [row] = await h.handle.db.select().from(connections).where(eq(connections.id, a.id));
    await expect(
      h.keyring.open(row!.credentialsSealed!, connectionCredentialsAad({ ...row!, id: "conn_other" })),
    ).rejects.toThrow(DecryptionError);
    // Nor to the row with the same id in another workspace (ids are unique only per workspace).
    await expect(
      h.keyring.open(row!.credentialsSealed!, connectionCredentialsAad({ ...row!, workspaceId: "ws_other" })),
    ).rejects.toThrow(DecryptionError);
    expect(await h.keyring.open(row!.credentialsSealed!, connectionCredentialsAad(row!))).toContain('"u":1');
  });

  it("refuses parameters that break the app schema, or that the test request rejects, with nothing saved", async () => {
    const tenant = await h.api.tenants.create({ name: "Bad Params Co" });
    const before = await connectionCount();
    expect(
      await failure(
        h.api.connections.create({ tenantId: tenant.id, appKey: "stripe", parameters: { apiKey: "short" } }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_parameters" });
    expect(
      await failure(h.api.connections.create({ tenantId: tenant.id, appKey: "stripe", parameters: {} })),
    ).toMatchObject({ status: 400, code: "invalid_parameters" });
    expect(
      await failure(
        h.api.connections.create({
          tenantId: tenant.id,
          appKey: "stripe",
          parameters: { apiKey: "good-key-123", extra: "x" },
        }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_parameters" });
    expect(
      await failure(
        h.api.connections.create({
          tenantId: tenant.id,
          appKey: "stripe",
          parameters: { apiKey: "wrong-key-456" },
        }),
      ),
    ).toMatchObject({ status: 400, code: "connection_test_failed" });
    expect(
      await failure(h.api.connections.create({ tenantId: tenant.id, appKey: "nope", parameters: {} })),
    ).toMatchObject({ status: 404 });
    expect(
      await failure(h.api.connections.create({ tenantId: "tenant_nope", appKey: "jira", parameters: {} })),
    ).toMatchObject({ status: 404 });
    expect(await connectionCount()).toBe(before);
  });

  it("DELETE disconnects and wipes the credentials", async () => {
    const tenant = await h.api.tenants.create({ name: "Wipe Co" });
    const c = await h.api.connections.create({
      tenantId: tenant.id,
      appKey: "jira",
      parameters: { p: "pw" },
    });
    expect(await h.api.connections.delete({ id: c.id })).toMatchObject({ status: "disconnected" });
    const [row] = await h.handle.db.select().from(connections).where(eq(connections.id, c.id));
    expect(row!.credentialsSealed).toBeNull();
    expect(await failure(h.api.connections.credentials({ id: c.id }))).toMatchObject({ status: 409 });
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id });
    expect(log.items.map((e) => e.action)).toContain("connection.disconnected");
  });
});

describe("tenant access tokens", () => {
  it("connect their own tenant with connections:write and never reach another tenant's connections", async () => {
    const mine = await tokenFor(`host-${unique()}`, "connections:read connections:write");
    const other = await h.api.tenants.create({ name: "Other Co" });
    const theirs = await h.api.connections.create({ tenantId: other.id, appKey: "jira", parameters: {} });

    const own = await mine.caller.connections.create({
      tenantId: mine.tenantId,
      appKey: "jira",
      parameters: {},
    });
    expect(own.tenantId).toBe(mine.tenantId);
    expect(
      (await mine.caller.connections.listForTenant({ tenantId: mine.tenantId })).items.map((c) => c.id),
    ).toEqual([own.id]);

    const before = await connectionCount();
    // Called one at a time: a rejected promise nobody awaits yet would be an unhandled rejection.
    for (const call of [
      () => mine.caller.connections.create({ tenantId: other.id, appKey: "jira", parameters: {} }),
      () => mine.caller.connections.get({ id: theirs.id }),
      () => mine.caller.connections.listForTenant({ tenantId: other.id }),
      () => mine.caller.connections.delete({ id: theirs.id }),
    ]) {
      expect(await failure(call())).toMatchObject({ status: 404, code: "not_found" });
    }
    expect(await connectionCount()).toBe(before);
    expect((await h.api.connections.get({ id: theirs.id })).status).toBe("connected");
  });

  it("cannot connect without connections:write, nor read credentials at all", async () => {
    const reader = await tokenFor(`host-${unique()}`, "connections:read");
    expect(
      await failure(
        reader.caller.connections.create({ tenantId: reader.tenantId, appKey: "jira", parameters: {} }),
      ),
    ).toMatchObject({ status: 403, code: "forbidden" });
    const c = await h.api.connections.create({ tenantId: reader.tenantId, appKey: "jira", parameters: {} });
    expect(await failure(reader.caller.connections.credentials({ id: c.id }))).toMatchObject({
      status: 403,
      code: "forbidden",
    });
  });
});

describe("the catalog a tenant sees", () => {
  it("lists the apps without any OAuth client settings, only for the token's own tenant", async () => {
    await h.api.apps.create({
      key: `crm-${unique()}`,
      name: "CRM",
      authType: "oauth2",
      oauth2: {
        authorizeUrl: "https://crm.example/authorize",
        tokenUrl: "https://crm.example/token",
        clientId: "client-visible-only-to-the-host",
        clientSecret: "secret-never-to-a-tenant",
        scopes: ["read"],
      },
    });
    const reader = await tokenFor(`host-${unique()}`, "connections:read");
    const catalog = await reader.caller.apps.catalog({ tenantId: reader.tenantId });
    expect(catalog.items.map((app) => app.key)).toEqual(expect.arrayContaining(["jira", "stripe"]));
    expect(catalog.items.find((app) => app.key === "stripe")?.parametersSchema).toMatchObject({
      required: ["apiKey"],
    });
    expect(JSON.stringify(catalog)).not.toMatch(/client-visible-only-to-the-host|secret-never|crm\.example/);
    const other = await h.api.tenants.create({ name: "Catalog Other Co" });
    expect(await failure(reader.caller.apps.catalog({ tenantId: other.id }))).toMatchObject({ status: 404 });
    const blind = await tokenFor(`host-${unique()}`, "fields:read");
    expect(await failure(blind.caller.apps.catalog({ tenantId: blind.tenantId }))).toMatchObject({
      status: 403,
    });
  });
});
