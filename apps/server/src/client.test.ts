import { createTenantryClient, signAccessToken, TenantryClientError } from "@tenantry/client";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const unique = () => Math.random().toString(36).slice(2, 10);

/** A fetch that counts the HTTP requests the client makes. */
function countingFetch() {
  const counter = { requests: 0 };
  const fetchImpl: typeof fetch = (input, init) => {
    counter.requests++;
    return fetch(input, init);
  };
  return { counter, fetchImpl };
}

async function me(token: string) {
  const response = await fetch(`${s.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    body: (await response.json()) as { tenant?: unknown; permissions?: string[] },
  };
}

describe("@tenantry/client against the real HTTP server", () => {
  it("calls queries and mutations, typed, and batches concurrent calls into one request", async () => {
    const { counter, fetchImpl } = countingFetch();
    const tenantry = createTenantryClient({ baseUrl: `${s.url}/`, apiKey: s.apiKey, fetch: fetchImpl });
    const created = await tenantry.tenants.create.mutate({
      name: "Client Co",
      internalId: `client-${unique()}`,
    });
    expect(created).toMatchObject({ name: "Client Co", version: 1 });
    expect(counter.requests).toBe(1);

    const [read, page] = await Promise.all([
      tenantry.tenants.get.query({ id: created.id }),
      tenantry.tenants.list.query({ limit: 5 }),
    ]);
    expect(read.id).toBe(created.id);
    expect(page.items.map((tenant) => tenant.id)).toContain(created.id);
    expect(counter.requests).toBe(2);

    const unbatched = countingFetch();
    const plain = createTenantryClient({
      baseUrl: s.url,
      apiKey: s.apiKey,
      batch: false,
      fetch: unbatched.fetchImpl,
    });
    await Promise.all([
      plain.tenants.get.query({ id: created.id }),
      plain.tenants.get.query({ id: created.id }),
    ]);
    expect(unbatched.counter.requests).toBe(2);
  });

  it("rejects with TenantryClientError carrying the stable code, status and issues", async () => {
    const tenantry = createTenantryClient({ baseUrl: s.url, apiKey: s.apiKey });
    const missing = await tenantry.tenants.get
      .query({ id: "tenant_01890a5d-ac96-774b-bcce-b302099a8057" })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(TenantryClientError);
    expect(missing).toMatchObject({ code: "not_found", status: 404 });

    const invalid = await tenantry.tenants.create
      .mutate({ name: "", internalId: "x" })
      .catch((error: unknown) => error as TenantryClientError);
    expect(invalid).toBeInstanceOf(TenantryClientError);
    expect(invalid).toMatchObject({ code: "invalid_input", status: 400 });
    expect((invalid as TenantryClientError).issues[0]).toMatchObject({ path: "name" });

    const wrongKey = createTenantryClient({ baseUrl: s.url, apiKey: `tnt_sk_${"x".repeat(40)}` });
    await expect(wrongKey.tenants.list.query({})).rejects.toMatchObject({
      code: "unauthorized",
      status: 401,
    });

    const unreachable = createTenantryClient({ baseUrl: "http://127.0.0.1:9", apiKey: s.apiKey });
    const network = await unreachable.tenants.list.query({}).catch((error: unknown) => error);
    expect(network).toBeInstanceOf(TenantryClientError);
    expect(network).toMatchObject({ code: undefined, status: 0 });
  });

  it("signs HS256 access tokens that /me accepts, for a new tenant and its user", async () => {
    const tenantry = createTenantryClient({ baseUrl: s.url, apiKey: s.apiKey });
    const key = await tenantry.signingKeys.create.mutate({ algorithm: "HS256" });
    const internalId = `acme-${unique()}`;
    const token = await signAccessToken({
      signingKey: { id: key.id, secret: key.secret! },
      tenant: { id: internalId, name: "Acme" },
      user: { id: `u-${unique()}`, email: `ada-${unique()}@example.com`, firstName: "Ada" },
      expiresIn: "15m",
    });
    const answer = await me(token);
    expect(answer.status).toBe(200);
    expect(answer.body.tenant).toMatchObject({ internalId, name: "Acme" });

    const scoped = await signAccessToken({
      signingKey: { id: key.id, secret: key.secret! },
      tenant: { id: internalId },
      scope: ["fields:read"],
      expiresIn: 60,
    });
    expect((await me(scoped)).body.permissions).toEqual(["fields:read"]);
  });

  it("signs with a registered public JWK's private key (CryptoKey or JWK)", async () => {
    const tenantry = createTenantryClient({ baseUrl: s.url, apiKey: s.apiKey });
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const key = await tenantry.signingKeys.create.mutate({
      algorithm: "ES256",
      publicJwk: (await exportJWK(publicKey)) as Record<string, unknown>,
    });
    const internalId = `es-${unique()}`;
    for (const signingPrivateKey of [privateKey, await exportJWK(privateKey)]) {
      const token = await signAccessToken({
        signingKey: { id: key.id, algorithm: "ES256", privateKey: signingPrivateKey },
        tenant: { id: internalId },
        scope: "tenant:read",
        expiresIn: "5m",
      });
      expect((await me(token)).status).toBe(200);
    }
  });

  it("refuses a lifetime over 24 hours, or none", async () => {
    const signingKey = { id: "sk_x", secret: "c2VjcmV0" };
    await expect(
      signAccessToken({ signingKey, tenant: { id: "t" }, expiresIn: 24 * 3600 + 1 }),
    ).rejects.toThrow(RangeError);
    await expect(signAccessToken({ signingKey, tenant: { id: "t" }, expiresIn: "2d" })).rejects.toThrow(
      /at most|24 hours/,
    );
    await expect(signAccessToken({ signingKey, tenant: { id: "t" }, expiresIn: 0 })).rejects.toThrow(
      RangeError,
    );
  });
});
