import { type JwksIssuerProcess, startJwksIssuerProcess } from "@tenantry/oauth-provider/jwks-issuer-process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";
import { createJwksKeys, type JwksKeys } from "./jwks";

let h: Harness;
let issuer: JwksIssuerProcess;

beforeAll(async () => {
  [h, issuer] = await Promise.all([createHarness(), startJwksIssuerProcess()]);
});
afterAll(async () => {
  await Promise.all([h.close(), issuer.stop()]);
});

const unique = () => Math.random().toString(36).slice(2, 10);

/** A fresh JWKS cache per test, on a clock the test moves; the issuer process is on loopback. */
function world() {
  const clock = { now: Date.now() };
  const jwks = createJwksKeys({ allowHosts: new Set(["127.0.0.1"]), now: () => clock.now });
  const callerWith = (headers: Record<string, string>, keys: JwksKeys = jwks) =>
    createCaller(
      createContext({ db: h.handle.db, keyring: h.keyring, header: (name) => headers[name], jwks: keys }),
    );
  const api = callerWith({ authorization: `Bearer ${h.apiKey}` });
  const asToken = (token: string) => callerWith({ authorization: `Bearer ${token}` });
  const fetches = () => jwks.fetchCount(issuer.jwksUrl);
  return { clock, jwks, api, asToken, fetches, callerWith };
}

async function registered(w: ReturnType<typeof world>, claims?: Record<string, string>) {
  const audience = `https://api.host.example/${unique()}`;
  const key = await w.api.signingKeys.create({
    type: "jwks",
    issuer: issuer.url,
    jwksUrl: issuer.jwksUrl,
    audience,
    ...(claims ? { claims } : {}),
  });
  return { key, audience };
}

describe("registering an issuer", () => {
  it("stores the issuer with default claim paths, fetching its JWKS once", async () => {
    const w = world();
    const { key, audience } = await registered(w);
    expect(key).toMatchObject({
      type: "jwks",
      algorithm: null,
      secret: null,
      issuer: issuer.url,
      jwksUrl: issuer.jwksUrl,
      audience,
      claims: { tenant: "org_id", userId: "sub", permissions: "permissions", email: "email" },
    });
    expect(w.fetches()).toBe(1);
    expect((await w.api.signingKeys.list()).items.find((k) => k.id === key.id)?.type).toBe("jwks");
  });

  it("refuses http and private addresses unless allow-listed, and a second issuer with the same iss and aud", async () => {
    const strict = world().callerWith(
      { authorization: `Bearer ${h.apiKey}` },
      createJwksKeys({ allowHosts: new Set() }),
    );
    const base = { type: "jwks" as const, issuer: issuer.url, audience: `aud-${unique()}` };
    expect(await failure(strict.signingKeys.create({ ...base, jwksUrl: issuer.jwksUrl }))).toMatchObject({
      status: 400,
      message: expect.stringContaining("must be https"),
    });
    expect(
      await failure(
        strict.signingKeys.create({ ...base, jwksUrl: "https://127.0.0.1/.well-known/jwks.json" }),
      ),
    ).toMatchObject({ status: 400, message: expect.stringContaining("private or loopback") });
    expect(
      await failure(
        strict.signingKeys.create({ ...base, jwksUrl: "https://localhost/.well-known/jwks.json" }),
      ),
    ).toMatchObject({ status: 400, message: expect.stringContaining("loopback") });
    const w = world();
    expect(
      await failure(w.api.signingKeys.create({ ...base, jwksUrl: `${issuer.url}/nothing-here` })),
    ).toMatchObject({ status: 400, message: expect.stringContaining("HTTP 404") });
    const { audience } = await registered(w);
    expect(
      await failure(
        w.api.signingKeys.create({ type: "jwks", issuer: issuer.url, jwksUrl: issuer.jwksUrl, audience }),
      ),
    ).toMatchObject({ status: 409 });
    const listed = (await w.api.signingKeys.list()).items.filter((k) => k.audience === base.audience);
    expect(listed).toEqual([]);
  });
});

describe("tokens of an issuer", () => {
  it("are accepted and yield the same actor as an HS256 token: tenant, first user as owner, profile", async () => {
    const w = world();
    const { key, audience } = await registered(w);
    const org = `org-${unique()}`;
    const token = await issuer.sign({
      payload: {
        aud: audience,
        sub: `user-${org}`,
        org_id: org,
        org_name: "Issuer Org",
        email: `ada-${org}@example.com`,
        given_name: "Ada",
        family_name: "Lovelace",
      },
    });
    const me = await w.asToken(token).accessTokens.me();
    expect(me.tenant).toMatchObject({ internalId: org, name: "Issuer Org" });
    expect(me.member).toMatchObject({ status: "active" });
    expect(me.permissions).toContain("members:write");
    const user = await w.api.members.getUser({ id: me.member!.userId });
    expect(user).toMatchObject({ email: `ada-${org}@example.com`, firstName: "Ada", lastName: "Lovelace" });
    expect(await w.api.accessTokens.introspect({ token })).toMatchObject({
      active: true,
      sub: org,
      kid: key.id,
    });
  });

  it("maps claims by path and narrows the member's roles by the permissions claim, never widening them", async () => {
    const w = world();
    const { audience } = await registered(w, {
      tenant: "https://host.example/org",
      tenantName: "org.name",
      userId: "uid",
      permissions: "scope",
    });
    const org = `org-${unique()}`;
    const sign = (uid: string, scope: string) =>
      issuer.sign({
        payload: {
          aud: [audience, "other"],
          sub: "ignored",
          uid,
          email: `${uid}@example.com`,
          scope,
          "https://host.example/org": org,
          org: { name: "Nested Name" },
        },
      });
    const owner = await w.asToken(await sign(`owner-${org}`, "members:read fields:read")).accessTokens.me();
    expect(owner.tenant).toMatchObject({ internalId: org, name: "Nested Name" });
    expect([...owner.permissions].sort()).toEqual(["fields:read", "members:read"]);

    await w.api.members.create({
      tenantId: owner.tenant.id,
      email: `worker-${org}@example.com`,
      externalId: `worker-${org}`,
      status: "active",
    });
    const worker = await w
      .asToken(await sign(`worker-${org}`, "members:read members:write"))
      .accessTokens.me();
    expect(worker.permissions).toEqual(["members:read"]);
  });

  it("are refused with 401 and a clear reason for a wrong iss, aud or alg, an expired one, or missing claims", async () => {
    const w = world();
    const { audience } = await registered(w);
    const base = { aud: audience, sub: "u1", email: "u1@example.com", org_id: `org-${unique()}` };
    const now = Math.floor(Date.now() / 1000);
    const refused = async (request: Parameters<JwksIssuerProcess["sign"]>[0], reason: string) =>
      expect(await failure(w.asToken(await issuer.sign(request)).accessTokens.me())).toMatchObject({
        status: 401,
        message: expect.stringContaining(reason),
      });
    await refused(
      { payload: { ...base, iss: "https://impostor.example" } },
      'no issuer "https://impostor.example"',
    );
    await refused({ payload: { ...base, aud: "someone-else" } }, "for the token's aud");
    await refused({ payload: base, alg: "HS256" }, "asymmetric algorithm");
    await refused(
      { payload: { ...base, iat: now - 1200, exp: now - 600 } },
      '"exp" claim timestamp check failed',
    );
    await refused({ payload: { ...base, org_id: undefined } }, "the tenant claim org_id is missing");
    await refused({ payload: { ...base, permissions: [1, 2] } }, "the permissions claim permissions must be");
    await refused({ payload: { ...base, exp: now + 3 * 24 * 3600 } }, "more than 24 hours");
  });

  it("stop working once the issuer is revoked", async () => {
    const w = world();
    const { key, audience } = await registered(w);
    const token = await issuer.sign({
      payload: { aud: audience, sub: "u1", email: "u1@example.com", org_id: `org-${unique()}` },
    });
    await w.asToken(token).accessTokens.me();
    await w.api.signingKeys.revoke({ id: key.id });
    expect(await failure(w.asToken(token).accessTokens.me())).toMatchObject({ status: 401 });
  });
});

describe("the JWKS cache", () => {
  it("honours max-age: one fetch for many tokens, the next once it expired", async () => {
    const w = world();
    const { audience } = await registered(w);
    const token = await issuer.sign({
      payload: { aud: audience, sub: "u1", email: "u1@example.com", org_id: `org-${unique()}` },
    });
    for (let i = 0; i < 5; i++) await w.asToken(token).accessTokens.me();
    expect(w.fetches()).toBe(1);
    w.clock.now += 599_000;
    await w.asToken(token).accessTokens.me();
    expect(w.fetches()).toBe(1);
    w.clock.now += 2_000;
    await w.asToken(token).accessTokens.me();
    expect(w.fetches()).toBe(2);
  });

  it("clamps a short max-age to 60 s", async () => {
    await issuer.configure({ maxAgeSeconds: 5 });
    try {
      const w = world();
      const { audience } = await registered(w);
      const token = await issuer.sign({
        payload: { aud: audience, sub: "u1", email: "u1@example.com", org_id: `org-${unique()}` },
      });
      w.clock.now += 40_000;
      await w.asToken(token).accessTokens.me();
      expect(w.fetches()).toBe(1);
      w.clock.now += 21_000;
      await w.asToken(token).accessTokens.me();
      expect(w.fetches()).toBe(2);
    } finally {
      await issuer.configure({ maxAgeSeconds: 600 });
    }
  });

  it("picks up a rotated key through an unknown kid, at most one fetch per 30 s", async () => {
    const w = world();
    const { audience } = await registered(w);
    const payload = { aud: audience, sub: "u1", email: "u1@example.com", org_id: `org-${unique()}` };
    await w.asToken(await issuer.sign({ payload })).accessTokens.me();
    await issuer.rotate();
    const rotated = await issuer.sign({ payload });
    // Within 30 s of the last fetch the new kid is not looked for yet.
    w.clock.now += 10_000;
    expect(await failure(w.asToken(rotated).accessTokens.me())).toMatchObject({
      status: 401,
      message: expect.stringContaining("no key with kid"),
    });
    expect(w.fetches()).toBe(1);
    w.clock.now += 21_000;
    await w.asToken(rotated).accessTokens.me();
    expect(w.fetches()).toBe(2);
  });

  it("bounds fetches when many unknown kids arrive at once", async () => {
    const w = world();
    const { audience } = await registered(w);
    const payload = { aud: audience, sub: "u1", email: "u1@example.com", org_id: `org-${unique()}` };
    const strangers = await Promise.all(
      Array.from({ length: 10 }, () => issuer.sign({ payload, unpublished: true })),
    );
    w.clock.now += 31_000;
    const answers = await Promise.all(strangers.map((token) => failure(w.asToken(token).accessTokens.me())));
    expect(answers.every((answer) => answer.status === 401)).toBe(true);
    expect(w.fetches()).toBe(2);
    for (const token of strangers) await failure(w.asToken(token).accessTokens.me());
    expect(w.fetches()).toBe(2);
    const before = (await issuer.stats()).jwksFetches;
    w.clock.now += 31_000;
    await Promise.all(strangers.map((token) => failure(w.asToken(token).accessTokens.me())));
    expect((await issuer.stats()).jwksFetches - before).toBe(1);
  });

  it("keeps using fetched keys for a grace period while the JWKS is unreachable", async () => {
    const w = world();
    const { audience } = await registered(w);
    const token = await issuer.sign({
      payload: { aud: audience, sub: "u1", email: "u1@example.com", org_id: `org-${unique()}` },
    });
    await issuer.configure({ down: true });
    try {
      w.clock.now += 3_600_000;
      await w.asToken(token).accessTokens.me();
      expect(w.fetches()).toBe(2);
      w.clock.now += 25 * 3_600_000;
      expect(await failure(w.asToken(token).accessTokens.me())).toMatchObject({
        status: 401,
        message: expect.stringContaining("HTTP 503"),
      });
    } finally {
      await issuer.configure({ down: false });
    }
  });
});
