import { type JwksIssuerProcess, startJwksIssuerProcess } from "@tenantry/oauth-provider/jwks-issuer-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

let allowed: TestServer;
let strict: TestServer;
let issuer: JwksIssuerProcess;

beforeAll(async () => {
  [allowed, strict, issuer] = await Promise.all([
    startTestServer({ jwksAllowHosts: new Set(["127.0.0.1"]) }),
    startTestServer(),
    startJwksIssuerProcess({ alg: "RS256" }),
  ]);
});
afterAll(async () => {
  await Promise.all([allowed.close(), strict.close(), issuer.stop()]);
});

describe("an identity provider's issuer over REST", () => {
  it("registers with POST /signing-keys and its own tokens answer GET /me", async () => {
    const audience = "https://api.host.example";
    const created = await allowed.call("POST", "/api/v1/signing-keys", {
      type: "jwks",
      issuer: issuer.url,
      jwksUrl: issuer.jwksUrl,
      audience,
      claims: { tenant: "org_id", permissions: "scope" },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ type: "jwks", algorithm: null, audience, secret: null });

    const token = await issuer.sign({
      payload: {
        aud: audience,
        sub: "rest-user",
        email: "rest@example.com",
        org_id: "rest-org",
        scope: "fields:read",
      },
    });
    const me = await fetch(`${allowed.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      tenant: { internalId: "rest-org" },
      permissions: ["fields:read"],
    });

    const wrongAudience = await issuer.sign({
      payload: { aud: "elsewhere", sub: "rest-user", org_id: "rest-org" },
    });
    const refused = await fetch(`${allowed.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${wrongAudience}` },
    });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      code: "unauthorized",
      message: expect.stringContaining("aud"),
    });
  });

  it("is refused with 400 when the JWKS host is not allowed, and nothing is stored", async () => {
    const answer = await strict.call("POST", "/api/v1/signing-keys", {
      type: "jwks",
      issuer: issuer.url,
      jwksUrl: issuer.jwksUrl,
      audience: "https://api.host.example",
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({
      message: expect.stringContaining("TENANTRY_JWKS_ALLOW_HOSTS"),
    });
    const listed = (await (await strict.call("GET", "/api/v1/signing-keys")).json()) as { items: unknown[] };
    expect(listed.items).toEqual([]);
  });
});
