import { newId } from "@tenantry/db/ids";
import { apiKeys } from "@tenantry/db/schema/api-keys";
import { tenants } from "@tenantry/db/schema/tenants";
import { count, eq } from "drizzle-orm";
import { base64url, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import jsonwebtoken from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";
import { CLOCK_SKEW_SECONDS } from "./verify";

let h: Harness;
let hs256: { id: string; secret: Uint8Array };

beforeAll(async () => {
  h = await createHarness();
  const created = await h.api.signingKeys.create({ algorithm: "HS256", name: "primary" });
  hs256 = { id: created.id, secret: new TextEncoder().encode(created.secret!) };
});
afterAll(() => h.close());

const now = () => Math.floor(Date.now() / 1000);
const unique = () => Math.random().toString(36).slice(2, 10);

async function sign(
  claims: JWTPayload & Record<string, unknown>,
  options: { kid?: string | null; secret?: Uint8Array; iat?: number; exp?: number | null; alg?: string } = {},
) {
  const jwt = new SignJWT(claims).setProtectedHeader({
    alg: options.alg ?? "HS256",
    ...(options.kid === null ? {} : { kid: options.kid ?? hs256.id }),
  });
  jwt.setIssuedAt(options.iat ?? now());
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now() + 600);
  return jwt.sign(options.secret ?? hs256.secret);
}

const asToken = (token: string) => h.callerWith({ authorization: `Bearer ${token}` });

async function tenantsWithInternalId(internalId: string) {
  const [row] = await h.handle.db
    .select({ n: count() })
    .from(tenants)
    .where(eq(tenants.internalId, internalId));
  return row!.n;
}

describe("signing keys", () => {
  it("shows an HS256 secret once and never lists it", async () => {
    const created = await h.api.signingKeys.create({ algorithm: "HS256" });
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await h.api.signingKeys.list();
    expect(JSON.stringify(listed)).not.toContain(created.secret!);
    expect(listed.items.map((k) => k.id)).toContain(created.id);
  });

  it("accepts public JWKs for ES256, EdDSA and RS256 and refuses private or mismatched ones", async () => {
    for (const alg of ["ES256", "EdDSA", "RS256"] as const) {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const created = await h.api.signingKeys.create({
        algorithm: alg,
        publicJwk: { ...(await exportJWK(publicKey)) },
      });
      expect(created.secret).toBeNull();
      expect(created.publicJwk).not.toHaveProperty("d");
      expect(
        await failure(
          h.api.signingKeys.create({ algorithm: alg, publicJwk: { ...(await exportJWK(privateKey)) } }),
        ),
      ).toMatchObject({ status: 400 });
    }
    const { publicKey } = await generateKeyPair("EdDSA", { extractable: true });
    expect(
      await failure(
        h.api.signingKeys.create({ algorithm: "ES256", publicJwk: { ...(await exportJWK(publicKey)) } }),
      ),
    ).toMatchObject({ status: 400 });
    expect(
      await failure(h.api.signingKeys.create({ algorithm: "ES256", publicJwk: { kty: "EC" } })),
    ).toMatchObject({
      status: 400,
    });
  });

  it("verifies tokens of a host that keeps its private key (ES256)", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const key = await h.api.signingKeys.create({
      algorithm: "ES256",
      publicJwk: { ...(await exportJWK(publicKey)) },
    });
    const token = await new SignJWT({ name: "Elliptic" })
      .setProtectedHeader({ alg: "ES256", kid: key.id })
      .setSubject(`ec-${unique()}`)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(privateKey);
    expect((await asToken(token).accessTokens.me()).tenant.name).toBe("Elliptic");
  });

  it("keeps two keys alive for rotation and stops a revoked key's tokens on their next request", async () => {
    const second = await h.api.signingKeys.create({ algorithm: "HS256", name: "next" });
    const secret = new TextEncoder().encode(second.secret!);
    const sub = `rot-${unique()}`;
    const oldToken = await sign({ sub });
    const newToken = await sign({ sub }, { kid: second.id, secret });
    await asToken(oldToken).accessTokens.me();
    await asToken(newToken).accessTokens.me();
    await h.api.signingKeys.revoke({ id: second.id });
    expect(await failure(asToken(newToken).accessTokens.me())).toMatchObject({ status: 401 });
    await asToken(oldToken).accessTokens.me();
  });
});

describe("HS256 secrets as given", () => {
  it("accepts tokens signed with the secret string itself, by jsonwebtoken and by jose", async () => {
    const created = await h.api.signingKeys.create({ algorithm: "HS256", name: "plain" });
    const secret = created.secret!;
    const fromJsonwebtoken = jsonwebtoken.sign(
      { sub: `jwt-${unique()}`, name: "Plain jsonwebtoken" },
      secret,
      {
        keyid: created.id,
        expiresIn: "10m",
      },
    );
    expect((await asToken(fromJsonwebtoken).accessTokens.me()).tenant.name).toBe("Plain jsonwebtoken");
    const fromJose = await new SignJWT({ name: "Plain jose" })
      .setProtectedHeader({ alg: "HS256", kid: created.id })
      .setSubject(`jose-${unique()}`)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(secret));
    expect((await asToken(fromJose).accessTokens.me()).tenant.name).toBe("Plain jose");
  });

  it("refuses the old form, signed over the base64url-decoded secret, with 401", async () => {
    const created = await h.api.signingKeys.create({ algorithm: "HS256", name: "decoded" });
    const sub = `decoded-${unique()}`;
    const decodedKey = base64url.decode(created.secret!);
    const token = await sign({ sub }, { kid: created.id, secret: decodedKey });
    expect(await failure(asToken(token).accessTokens.me())).toMatchObject({
      status: 401,
      message: expect.stringContaining("signature verification failed"),
    });
    const viaJsonwebtoken = jsonwebtoken.sign({ sub }, Buffer.from(decodedKey), {
      keyid: created.id,
      expiresIn: "10m",
    });
    expect(await failure(asToken(viaJsonwebtoken).accessTokens.me())).toMatchObject({ status: 401 });
    expect(await tenantsWithInternalId(sub)).toBe(0);
  });
});

describe("access tokens", () => {
  it("creates the tenant on first sight with the token's name and fields, and answers /me", async () => {
    const sub = `host-${unique()}`;
    const me = await asToken(
      await sign({ sub, name: "Acme", fields: { region: "eu" }, scope: "fields:read members:read" }),
    ).accessTokens.me();
    expect(me.tenant).toMatchObject({ internalId: sub, name: "Acme", fields: { region: "eu" } });
    expect(me.member).toBeNull();
    expect(me.permissions).toEqual(["fields:read", "members:read"]);
    const log = await h.api.activity.listForTenant({ tenantId: me.tenant.id });
    expect(log.items[0]).toMatchObject({ action: "tenant.created", actor: { type: "access_token" } });
  });

  it("creates exactly one tenant when many first requests with a new sub arrive at once", async () => {
    const sub = `burst-${unique()}`;
    const token = await sign({ sub, name: "Burst" });
    const answers = await Promise.all(Array.from({ length: 12 }, () => asToken(token).accessTokens.me()));
    expect(new Set(answers.map((a) => a.tenant.id)).size).toBe(1);
    expect(await tenantsWithInternalId(sub)).toBe(1);
  });

  it("merges a later fields claim that differs, and logs it", async () => {
    const sub = `merge-${unique()}`;
    const first = await asToken(await sign({ sub, fields: { a: 1, b: 2 } })).accessTokens.me();
    const second = await asToken(await sign({ sub, fields: { b: 3, c: 4 } })).accessTokens.me();
    expect(second.tenant.fields).toEqual({ a: 1, b: 3, c: 4 });
    expect(second.tenant.version).toBe(first.tenant.version + 1);
    const same = await asToken(await sign({ sub, fields: { b: 3 } })).accessTokens.me();
    expect(same.tenant.version).toBe(second.tenant.version);
    const log = await h.api.activity.listForTenant({
      tenantId: first.tenant.id,
      action: "tenant.fields_updated",
    });
    expect(log.items).toHaveLength(1);
    expect(log.items[0]!.changes).toMatchObject({
      before: { fields: { a: 1, b: 2 } },
      after: { fields: { a: 1, b: 3, c: 4 } },
    });
  });

  const bad: [string, () => Promise<string>][] = [
    ["an expired token", () => sign({ sub: "x" }, { iat: now() - 7200, exp: now() - 3600 })],
    ["a token without exp", () => sign({ sub: "x" }, { exp: null })],
    ["a future-dated token", () => sign({ sub: "x" }, { iat: now() + 3600, exp: now() + 7200 })],
    ["a token living longer than 24 h", () => sign({ sub: "x" }, { exp: now() + 25 * 3600 })],
    ["a token without kid", () => sign({ sub: "x" }, { kid: null })],
    ["a token with an unknown kid", () => sign({ sub: "x" }, { kid: newId("sk") })],
    ["a token signed with another secret", () => sign({ sub: "x" }, { secret: new Uint8Array(32).fill(9) })],
    ["a token for another audience", () => sign({ sub: "x", aud: "someone-else" })],
    ["a token without sub", () => sign({ name: "nobody" })],
    ["a token of more than 8 KiB", () => sign({ sub: "x", name: "n".repeat(9000) })],
    [
      "a token with a __proto__ fields claim",
      () => sign({ sub: "x", fields: JSON.parse('{"__proto__":{"a":1}}') }),
    ],
    [
      "an unsigned token (alg none)",
      async () => {
        const header = base64url.encode(JSON.stringify({ alg: "none", kid: hs256.id }));
        const payload = base64url.encode(JSON.stringify({ sub: "x", exp: now() + 600 }));
        return `${header}.${payload}.`;
      },
    ],
    [
      "a token with a tampered payload",
      async () => {
        const [header, , signature] = (await sign({ sub: "x" })).split(".");
        return `${header}.${base64url.encode(JSON.stringify({ sub: "admin", exp: now() + 600 }))}.${signature}`;
      },
    ],
    ["garbage", async () => "not.a.jwt"],
  ];
  it.each(bad)("refuses %s with 401 and creates nothing", async (_, make) => {
    const before = await tenantsWithInternalId("x");
    expect(await failure(asToken(await make()).accessTokens.me())).toMatchObject({
      status: 401,
      code: "unauthorized",
    });
    expect(await tenantsWithInternalId("x")).toBe(before);
  });

  it("refuses alg confusion: an HS256 token keyed with an ES256 key's public JWK", async () => {
    const { publicKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = await exportJWK(publicKey);
    const key = await h.api.signingKeys.create({ algorithm: "ES256", publicJwk: { ...jwk } });
    const forged = await sign(
      { sub: "x" },
      { kid: key.id, secret: new TextEncoder().encode(JSON.stringify(jwk)) },
    );
    expect(await failure(asToken(forged).accessTokens.me())).toMatchObject({ status: 401 });
  });

  it("refuses the tokens of a suspended tenant with 403", async () => {
    const sub = `susp-${unique()}`;
    const token = await sign({ sub });
    const me = await asToken(token).accessTokens.me();
    await h.api.tenants.suspend({ id: me.tenant.id });
    expect(await failure(asToken(token).accessTokens.me())).toMatchObject({
      status: 403,
      code: "tenant_inactive",
    });
    await h.api.tenants.activate({ id: me.tenant.id });
    await asToken(token).accessTokens.me();
  });

  it("only ever reaches its own tenant, whatever ids a request names", async () => {
    const mine = await asToken(
      await sign({ sub: `mine-${unique()}`, scope: "fields:read fields:write" }),
    ).accessTokens.me();
    const other = await h.api.tenants.create({ name: "Someone else", fields: { secret: "theirs" } });
    const token = await sign({ sub: mine.tenant.internalId, scope: "fields:read fields:write" });
    expect(await failure(asToken(token).fields.getForTenant({ tenantId: other.id }))).toMatchObject({
      status: 404,
    });
    expect(
      await failure(
        asToken(token).fields.patchForTenant({ tenantId: other.id, fields: { secret: "mine now" } }),
      ),
    ).toMatchObject({ status: 404 });
    expect((await h.api.tenants.get({ id: other.id })).fields).toEqual({ secret: "theirs" });
    await asToken(token).fields.getForTenant({ tenantId: mine.tenant.id });
  });

  it("cannot call API-key procedures", async () => {
    const token = await sign({ sub: `limited-${unique()}`, scope: "fields:read" });
    expect(await failure(asToken(token).tenants.list({}))).toMatchObject({ status: 403 });
    expect(await failure(asToken(token).signingKeys.create({ algorithm: "HS256" }))).toMatchObject({
      status: 403,
    });
  });

  it("needs the permission for what it does", async () => {
    const sub = `perm-${unique()}`;
    const reader = await sign({ sub, scope: "fields:read" });
    const me = await asToken(reader).accessTokens.me();
    await asToken(reader).fields.getForTenant({ tenantId: me.tenant.id });
    expect(
      await failure(asToken(reader).fields.patchForTenant({ tenantId: me.tenant.id, fields: { a: 1 } })),
    ).toMatchObject({ status: 403, code: "forbidden" });
    expect(
      await failure(asToken(await sign({ sub })).fields.getForTenant({ tenantId: me.tenant.id })),
    ).toMatchObject({
      status: 403,
    });
  });
});

describe("introspection", () => {
  it("answers RFC 7662 style: active with claims, or only active: false", async () => {
    const sub = `intro-${unique()}`;
    const token = await sign({
      sub,
      scope: "fields:read",
      user: { id: `u-${sub}`, email: `${sub}@example.com` },
    });
    const before = await h.api.accessTokens.introspect({ token });
    expect(before).toMatchObject({
      active: true,
      sub,
      tenantId: null,
      scope: "fields:read",
      userId: null,
      externalUserId: `u-${sub}`,
      kid: hs256.id,
    });
    expect(await tenantsWithInternalId(sub)).toBe(0);
    const me = await asToken(token).accessTokens.me();
    // The first user of a new tenant becomes its owner.
    expect(me.member).toMatchObject({ type: "owner", status: "active", user: { externalId: `u-${sub}` } });
    expect(await h.api.accessTokens.introspect({ token })).toMatchObject({
      active: true,
      tenantId: me.tenant.id,
      userId: me.member!.userId,
    });
    await h.api.tenants.suspend({ id: me.tenant.id });
    expect(await h.api.accessTokens.introspect({ token })).toEqual({ active: false });
    const expired = await sign({ sub }, { iat: now() - 7200, exp: now() - 3600 });
    expect(await h.api.accessTokens.introspect({ token: expired })).toEqual({ active: false });
    expect(await h.api.accessTokens.introspect({ token: "nonsense" })).toEqual({ active: false });
  });
});

describe("browser origins", () => {
  it("refuses a token from an origin its workspace does not allow, and serves the allowed ones", async () => {
    const token = await sign({ sub: `origin-${unique()}` });
    const from = (origin: string) => h.callerWith({ authorization: `Bearer ${token}` }, { origin });
    expect(await failure(from("https://evil.example").accessTokens.me())).toMatchObject({
      status: 403,
      code: "origin_not_allowed",
    });
    await h.api.workspaces.putAllowedOrigins({
      origins: ["https://app.example.com", "http://localhost:4100"],
    });
    expect((await h.api.workspaces.getAllowedOrigins()).origins).toEqual([
      "http://localhost:4100",
      "https://app.example.com",
    ]);
    await from("https://app.example.com").accessTokens.me();
    expect(await failure(from("https://app.example.com.evil.example").accessTokens.me())).toMatchObject({
      status: 403,
    });
    // Requests without a cross-origin Origin (backends, same-origin pages) are not affected.
    await asToken(token).accessTokens.me();
  });

  it.each([
    "https://app.example.com/",
    "https://app.example.com/path",
    "ftp://files.example",
    "*",
    "app.example.com",
  ])("refuses %s as an allowed origin", async (origin) => {
    expect(await failure(h.api.workspaces.putAllowedOrigins({ origins: [origin] }))).toMatchObject({
      status: 400,
    });
  });
});

describe("time", () => {
  it("is the request's clock: a token and an API key expire when it passes their expiry", async () => {
    const clock = testClock(Date.now());
    const timed = await createHarness({ clock });
    try {
      const key = await timed.api.signingKeys.create({ algorithm: "HS256" });
      const issuedAt = Math.floor(clock.now().getTime() / 1000);
      const token = await sign(
        { sub: `clock-${unique()}` },
        { kid: key.id, secret: new TextEncoder().encode(key.secret!), iat: issuedAt, exp: issuedAt + 600 },
      );
      const bearer = timed.callerWith({ authorization: `Bearer ${token}` });
      await bearer.accessTokens.me();
      expect(await timed.api.accessTokens.introspect({ token })).toMatchObject({ active: true });

      clock.advance((600 + CLOCK_SKEW_SECONDS + 1) * 1000);
      expect(await failure(bearer.accessTokens.me())).toMatchObject({ status: 401, code: "unauthorized" });
      expect(await timed.api.accessTokens.introspect({ token })).toEqual({ active: false });

      // An API key with an expiry works until the clock reaches it.
      const apiKey = await timed.api.apiKeys.create({ name: "expiring" });
      await timed.handle.db
        .update(apiKeys)
        .set({ expiresAt: new Date(clock.now().getTime() + 60_000) })
        .where(eq(apiKeys.id, apiKey.id));
      const withKey = timed.callerWith({ authorization: `Bearer ${apiKey.key}` });
      await withKey.apiKeys.list();
      clock.advance(60_000);
      expect(await failure(withKey.apiKeys.list())).toMatchObject({ status: 401 });
    } finally {
      await timed.close();
    }
  });

  it("waits for one fence per call, though a member's token reads its key and its member from the cache", async () => {
    const internalId = `fence-${unique()}`;
    const tenant = await h.api.tenants.create({ name: "Fence", internalId });
    await h.api.members.create({
      tenantId: tenant.id,
      email: `fence-${unique()}@example.com`,
      externalId: "fence-user",
      status: "active",
    });
    const bearer = asToken(await sign({ sub: internalId, user: { id: "fence-user" } }));
    const cache = h.invalidation.cache!;
    // Warm until both reads are hits (a fill that races its own insert's notification is refused).
    for (let i = 0; i < 20; i++) {
      const before = { ...cache.stats };
      await bearer.accessTokens.me();
      if (cache.stats.misses === before.misses) break;
    }
    const before = { ...cache.stats };
    await bearer.accessTokens.me();
    expect(cache.stats.hits - before.hits).toBe(2);
    expect(cache.stats.misses - before.misses).toBe(0);
    expect(cache.stats.fences - before.fences).toBe(1);
  });

  it("checks a token it has verified before again on every request: its time, and whether its key lives", async () => {
    const clock = testClock(Date.now());
    const timed = await createHarness({ clock });
    try {
      const key = await timed.api.signingKeys.create({ algorithm: "HS256" });
      const secret = new TextEncoder().encode(key.secret!);
      const issuedAt = Math.floor(clock.now().getTime() / 1000);
      const token = await new SignJWT({ sub: `again-${unique()}`, nbf: issuedAt })
        .setProtectedHeader({ alg: "HS256", kid: key.id })
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 600)
        .sign(secret);
      const bearer = timed.callerWith({ authorization: `Bearer ${token}` });
      await bearer.accessTokens.me();
      await bearer.accessTokens.me();

      // Back before its nbf (a clock set back): refused, then accepted again when the time comes.
      clock.advance(-(CLOCK_SKEW_SECONDS + 5) * 1000);
      expect(await failure(bearer.accessTokens.me())).toMatchObject({
        status: 401,
        message: expect.stringContaining('"nbf" claim timestamp check failed'),
      });
      clock.advance((CLOCK_SKEW_SECONDS + 5) * 1000);
      await bearer.accessTokens.me();

      // Past its exp: refused on the very request that comes after it.
      clock.advance((600 + CLOCK_SKEW_SECONDS) * 1000);
      expect(await failure(bearer.accessTokens.me())).toMatchObject({
        status: 401,
        message: expect.stringContaining('"exp" claim timestamp check failed'),
      });

      // A fresh token of a key that is then revoked: accepted, then refused on the next request.
      const second = await sign(
        { sub: `again-${unique()}` },
        {
          kid: key.id,
          secret,
          iat: Math.floor(clock.now().getTime() / 1000),
          exp: Math.floor(clock.now().getTime() / 1000) + 600,
        },
      );
      const secondBearer = timed.callerWith({ authorization: `Bearer ${second}` });
      await secondBearer.accessTokens.me();
      await timed.api.signingKeys.revoke({ id: key.id });
      expect(await failure(secondBearer.accessTokens.me())).toMatchObject({
        status: 401,
        message: expect.stringContaining("unknown or revoked signing key"),
      });
    } finally {
      await timed.close();
    }
  });
});
