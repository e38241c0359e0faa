import { newId } from "@tenantry/db/ids";
import { activityLog } from "@tenantry/db/schema/activity";
import { tenants } from "@tenantry/db/schema/tenants";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../api-keys/service";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

async function tenantCount(): Promise<number> {
  const [row] = await h.handle.db.select({ n: count() }).from(tenants);
  return row!.n;
}

async function activityCount(): Promise<number> {
  const [row] = await h.handle.db.select({ n: count() }).from(activityLog);
  return row!.n;
}

const unique = () => Math.random().toString(36).slice(2, 10);

describe("creating tenants", () => {
  it("creates a tenant with defaults, a scope, a slug from its name and an activity entry", async () => {
    const tenant = await h.api.tenants.create({ name: "Åsa & Co. AB", planKey: "pro" });
    expect(tenant).toMatchObject({
      name: "Åsa & Co. AB",
      slug: "asa-co-ab",
      kind: "standard",
      status: "active",
      planKey: "pro",
      version: 1,
      metadata: {},
      fields: {},
    });
    expect(tenant.id).toMatch(/^tenant_[0-9a-f-]{36}$/);
    expect(tenant.internalId).toBe(tenant.id);
    expect(tenant.scopeId).toMatch(/^scope_/);
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id });
    expect(log.items.map((entry) => entry.action)).toEqual(["tenant.created"]);
    expect(log.items[0]!.actor.type).toBe("api_key");
  });

  it("accepts a client-chosen id and every profile field", async () => {
    const id = newId("tenant");
    const tenant = await h.api.tenants.create({
      id,
      name: "Globex",
      slug: `globex-${unique()}`,
      internalId: `host-${unique()}`,
      externalId: "cus_123",
      kind: "enterprise",
      trial: true,
      trialEndsAt: "2027-01-01T00:00:00+01:00",
      paymentStatus: "trialing",
      mfa: "required",
      locale: "sv-SE",
      logo: "https://example.com/logo.png",
      onboarded: true,
      federationConnection: "okta-globex",
      billingEmail: "billing@globex.example",
      technicalContactEmail: "it@globex.example",
      maxUsers: 50,
      maxWorkspaces: 3,
      maxProjects: 10,
      maxEnvironments: 2,
      aiCreditsRolling30DayLimit: 10_000,
      metadata: { region: "eu", tags: ["a", "b"], nested: { ok: true } },
    });
    expect(tenant.id).toBe(id);
    expect(tenant.trialEndsAt).toBe("2026-12-31T23:00:00.000Z");
    expect(tenant).toMatchObject({
      kind: "enterprise",
      mfa: "required",
      maxUsers: 50,
      aiCreditsRolling30DayLimit: 10_000,
    });
    expect(await h.api.tenants.get({ id })).toEqual(tenant);
  });

  it("refuses a taken id, internalId or slug with 409 and a stable code", async () => {
    const first = await h.api.tenants.create({
      name: "Initech",
      slug: `initech-${unique()}`,
      internalId: unique(),
    });
    expect(await failure(h.api.tenants.create({ id: first.id, name: "Other" }))).toMatchObject({
      status: 409,
      code: "tenant_id_taken",
    });
    expect(
      await failure(h.api.tenants.create({ name: "Other", internalId: first.internalId })),
    ).toMatchObject({
      status: 409,
      code: "internal_id_taken",
    });
    expect(await failure(h.api.tenants.create({ name: "Other", slug: first.slug }))).toMatchObject({
      status: 409,
      code: "slug_taken",
    });
  });

  it("gives a derived slug a suffix when the name's slug is taken", async () => {
    const name = `Hooli ${unique()}`;
    const a = await h.api.tenants.create({ name });
    const b = await h.api.tenants.create({ name });
    expect(b.slug).not.toBe(a.slug);
    expect(b.slug.startsWith(`${a.slug}-`)).toBe(true);
  });

  it("lets exactly one of many concurrent creates take a slug", async () => {
    const slug = `race-${unique()}`;
    const before = await tenantCount();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => h.api.tenants.create({ name: `Racer ${i}`, slug })),
    );
    const created = results.filter((r) => r.status === "fulfilled");
    expect(created).toHaveLength(1);
    for (const r of results) {
      if (r.status === "rejected")
        expect(await failure(Promise.reject(r.reason))).toMatchObject({ code: "slug_taken" });
    }
    expect(await tenantCount()).toBe(before + 1);
  });

  it("answers a retried create with the same Idempotency-Key with the same tenant, also concurrently", async () => {
    const idempotencyKey = `idem-${unique()}`;
    const body = { name: "Umbrella", planKey: "team" };
    const before = await tenantCount();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => h.api.tenants.create({ ...body, idempotencyKey })),
    );
    expect(new Set(results.map((t) => t.id)).size).toBe(1);
    expect(await tenantCount()).toBe(before + 1);
    const again = await h.api.tenants.create({ ...body, idempotencyKey });
    expect(again.id).toBe(results[0]!.id);
    expect(await failure(h.api.tenants.create({ name: "Not umbrella", idempotencyKey }))).toMatchObject({
      status: 409,
      code: "idempotency_key_reused",
    });
    expect(await tenantCount()).toBe(before + 1);
  });

  it.each([
    ["an unknown kind", { name: "x", kind: "gold" }],
    ["a slug with spaces and punctuation", { name: "x", slug: "Acme Corp!" }],
    ["a malformed client id", { name: "x", id: "tenant_123" }],
    ["a UUIDv4 client id", { name: "x", id: "tenant_6f1c8a2e-3b4d-4e5f-8a6b-7c8d9e0f1a2b" }],
    ["a name of a megabyte", { name: "n".repeat(1024 * 1024) }],
    ["an empty name", { name: "   " }],
    ["a __proto__ key in metadata", { name: "x", metadata: JSON.parse('{"__proto__": {"admin": true}}') }],
    ["a constructor key deep in metadata", { name: "x", metadata: { a: { constructor: { prototype: 1 } } } }],
    ["metadata over 16 KiB", { name: "x", metadata: { blob: "b".repeat(17 * 1024) } }],
    ["metadata that is an array", { name: "x", metadata: [1, 2] }],
    ["an unknown field", { name: "x", color: "red" }],
    ["a status on create", { name: "x", status: "suspended" }],
    ["a negative limit", { name: "x", maxUsers: -1 }],
    ["a fractional limit", { name: "x", maxUsers: 1.5 }],
    ["a bad email", { name: "x", billingEmail: "not-an-email" }],
    ["a javascript: logo", { name: "x", logo: "javascript:alert(1)" }],
    ["a made-up locale", { name: "x", locale: "not a locale!" }],
    ["a date without a zone", { name: "x", trialEndsAt: "2027-01-01" }],
    ["an owner without an email", { name: "x", owner: { firstName: "Ann" } }],
  ])("refuses %s with 400 and writes nothing", async (_, input) => {
    const [tenantsBefore, activityBefore] = [await tenantCount(), await activityCount()];
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong input
    const result = await failure(h.api.tenants.create(input as any));
    expect(result).toMatchObject({ status: 400, code: "invalid_input" });
    expect(result.message.length).toBeLessThan(400);
    expect(await tenantCount()).toBe(tenantsBefore);
    expect(await activityCount()).toBe(activityBefore);
  });

  it("accepts and validates an owner for the members API", async () => {
    const tenant = await h.api.tenants.create({
      name: "Owned",
      owner: { email: "owner@owned.example", firstName: "Olive", lastName: "Owner" },
    });
    expect(tenant.name).toBe("Owned");
  });
});

describe("reading tenants", () => {
  it("answers 404 for an unknown tenant and 400 for a malformed id", async () => {
    expect(await failure(h.api.tenants.get({ id: newId("tenant") }))).toMatchObject({
      status: 404,
      code: "not_found",
    });
    expect(await failure(h.api.tenants.get({ id: "acme" }))).toMatchObject({ status: 400 });
  });

  it("pages through every tenant exactly once with keyset cursors", async () => {
    const tag = unique();
    const made = [];
    for (let i = 0; i < 23; i++) made.push(await h.api.tenants.create({ name: `Paged ${tag} ${i}` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.api.tenants.list({ q: `Paged ${tag}`, limit: 5, cursor });
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    // Newest first.
    expect(seen).toEqual(made.map((t) => t.id).reverse());
  });

  it("filters by status, kind, plan, internalId and text", async () => {
    const tag = unique();
    const a = await h.api.tenants.create({
      name: `Filter ${tag} A`,
      kind: "trial",
      internalId: `int-${tag}`,
      planKey: `plan-${tag}`,
    });
    const b = await h.api.tenants.create({ name: `Filter ${tag} B`, externalId: `ext-${tag}` });
    await h.api.tenants.suspend({ id: b.id });
    const ids = async (input: Parameters<typeof h.api.tenants.list>[0]) =>
      (await h.api.tenants.list(input)).items.map((t) => t.id);
    expect(await ids({ q: tag, kind: "trial" })).toEqual([a.id]);
    expect(await ids({ planKey: `plan-${tag}` })).toEqual([a.id]);
    expect(await ids({ q: tag, status: "suspended" })).toEqual([b.id]);
    expect(await ids({ internalId: `int-${tag}` })).toEqual([a.id]);
    expect(await ids({ q: `ext-${tag}` })).toEqual([b.id]);
    expect(await ids({ q: "%" })).not.toContain(a.id);
  });

  it("searches name and slug by substring in any case, with %, _ and \\ literal, short and long", async () => {
    const tag = unique();
    const make = (name: string) => h.api.tenants.create({ name });
    const percent = await make(`Find${tag} 100% Pure`);
    const plain = await make(`Find${tag} 1000 Pure`);
    const underscore = await make(`Find${tag} a_b`);
    const notUnderscore = await make(`Find${tag} aXb`);
    const backslash = await make(`Find${tag} back\\slash`);
    const mine = [percent, plain, underscore, notUnderscore, backslash].map((t) => t.id);
    // Every page of a search, restricted to this test's tenants (other tests share the workspace).
    const found = async (q: string) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await h.api.tenants.list({ q, limit: 7, cursor });
        seen.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      return mine.filter((id) => seen.includes(id)).sort();
    };
    const sorted = (...tenants: { id: string }[]) => tenants.map((t) => t.id).sort();
    expect(await found(`find${tag}`.toUpperCase())).toEqual(mine.slice().sort());
    expect(await found(`${tag} 100% pure`)).toEqual(sorted(percent));
    expect(await found("%")).toEqual(sorted(percent));
    expect(await found("0%")).toEqual(sorted(percent));
    expect(await found(`${tag} 100`)).toEqual(sorted(percent, plain));
    expect(await found("a_b")).toEqual(sorted(underscore));
    expect(await found("_")).toEqual(sorted(underscore));
    expect(await found("\\")).toEqual(sorted(backslash));
    expect(await found("k\\s")).toEqual(sorted(backslash));
    // The slug matches too, by its own spelling.
    expect(await found(`find${tag}-a-b`)).toEqual(sorted(underscore));
    expect(await found(`${tag.slice(0, 1)}`)).toEqual(mine.slice().sort());
    expect(await found(`${tag.slice(0, 2)}`)).toEqual(mine.slice().sort());
    expect(await found(`Find${tag} ${"x".repeat(180)}`)).toEqual([]);
    expect(await found(`${tag}zz`)).toEqual([]);
  });

  it("refuses a cursor it did not issue and a limit out of range", async () => {
    expect(await failure(h.api.tenants.list({ cursor: "garbage!" }))).toMatchObject({ status: 400 });
    expect(await failure(h.api.tenants.list({ limit: 1000 }))).toMatchObject({ status: 400 });
    // biome-ignore lint/suspicious/noExplicitAny: tRPC must not coerce strings, whatever REST does
    expect(await failure(h.api.tenants.list({ limit: "5" as any }))).toMatchObject({ status: 400 });
  });
});

describe("changing tenants", () => {
  it("patches only the given fields, bumps the version and logs a redacted diff", async () => {
    const tenant = await h.api.tenants.create({ name: "Patchy", planKey: "free", metadata: { a: 1 } });
    const patched = await h.api.tenants.patch({ id: tenant.id, planKey: "pro", expectedVersion: 1 });
    expect(patched).toMatchObject({ planKey: "pro", name: "Patchy", metadata: { a: 1 }, version: 2 });
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id, action: "tenant.updated" });
    expect(log.items[0]!.changes).toMatchObject({ before: { planKey: "free" }, after: { planKey: "pro" } });
    expect(log.items[0]!.changes.after).not.toHaveProperty("name");
  });

  it("does not bump the version or log when nothing changes", async () => {
    const tenant = await h.api.tenants.create({ name: "Same" });
    const same = await h.api.tenants.patch({ id: tenant.id, name: "Same" });
    expect(same.version).toBe(1);
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id });
    expect(log.items).toHaveLength(1);
  });

  it("refuses a stale expectedVersion with 409 and writes nothing", async () => {
    const tenant = await h.api.tenants.create({ name: "Versioned" });
    await h.api.tenants.patch({ id: tenant.id, name: "Versioned 2" });
    const activityBefore = await activityCount();
    expect(
      await failure(h.api.tenants.patch({ id: tenant.id, name: "Stale", expectedVersion: 1 })),
    ).toMatchObject({
      status: 409,
      code: "version_conflict",
    });
    expect((await h.api.tenants.get({ id: tenant.id })).name).toBe("Versioned 2");
    expect(await activityCount()).toBe(activityBefore);
  });

  it("lets exactly one of several concurrent writers at the same version win", async () => {
    const tenant = await h.api.tenants.create({ name: "Contended" });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        h.api.tenants.patch({ id: tenant.id, planKey: `p${i}`, expectedVersion: 1 }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((await h.api.tenants.get({ id: tenant.id })).version).toBe(2);
  });

  it("keeps every increment when concurrent writers do not send a version", async () => {
    const tenant = await h.api.tenants.create({ name: "Counted" });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.api.tenants.patch({ id: tenant.id, planKey: `plan-${i}` })),
    );
    expect((await h.api.tenants.get({ id: tenant.id })).version).toBe(11);
  });

  it("refuses a slug another tenant has, also when two renames race", async () => {
    const a = await h.api.tenants.create({ name: "Rename A" });
    const b = await h.api.tenants.create({ name: "Rename B" });
    expect(await failure(h.api.tenants.patch({ id: b.id, slug: a.slug }))).toMatchObject({
      status: 409,
      code: "slug_taken",
    });
    const target = `renamed-${unique()}`;
    const results = await Promise.allSettled([
      h.api.tenants.patch({ id: a.id, slug: target }),
      h.api.tenants.patch({ id: b.id, slug: target }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("merges fields on PATCH: given keys set, null removes, others stay", async () => {
    const tenant = await h.api.tenants.create({ name: "Fielded", fields: { a: 1, b: "two" } });
    const patched = await h.api.tenants.patch({ id: tenant.id, fields: { b: null, c: true } });
    expect(patched.fields).toEqual({ a: 1, c: true });
  });

  it("replaces the whole profile on PUT, keeping identity", async () => {
    const tenant = await h.api.tenants.create({
      name: "Putty",
      planKey: "pro",
      kind: "enterprise",
      maxUsers: 5,
      metadata: { x: 1 },
    });
    const replaced = await h.api.tenants.put({
      id: tenant.id,
      name: "Putty 2",
      billingEmail: "b@putty.example",
    });
    expect(replaced).toMatchObject({
      name: "Putty 2",
      billingEmail: "b@putty.example",
      planKey: null,
      kind: "standard",
      maxUsers: null,
      metadata: {},
      slug: tenant.slug,
      internalId: tenant.internalId,
      version: 2,
    });
  });

  it("suspends, archives and reactivates, logging each", async () => {
    const tenant = await h.api.tenants.create({ name: "Lifecycle" });
    expect((await h.api.tenants.suspend({ id: tenant.id })).status).toBe("suspended");
    expect((await h.api.tenants.archive({ id: tenant.id })).status).toBe("archived");
    expect((await h.api.tenants.activate({ id: tenant.id })).status).toBe("active");
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id });
    expect(log.items.map((e) => e.action)).toEqual([
      "tenant.activated",
      "tenant.archived",
      "tenant.suspended",
      "tenant.created",
    ]);
  });

  it("deletes a tenant and keeps its history", async () => {
    const tenant = await h.api.tenants.create({ name: "Doomed" });
    expect(await failure(h.api.tenants.delete({ id: tenant.id, expectedVersion: 7 }))).toMatchObject({
      status: 409,
    });
    await h.api.tenants.delete({ id: tenant.id });
    expect(await failure(h.api.tenants.get({ id: tenant.id }))).toMatchObject({ status: 404 });
    expect(await failure(h.api.tenants.delete({ id: tenant.id }))).toMatchObject({ status: 404 });
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id });
    expect(log.items.map((e) => e.action)).toEqual(["tenant.deleted", "tenant.created"]);
    expect(await failure(h.api.activity.listForTenant({ tenantId: newId("tenant") }))).toMatchObject({
      status: 404,
    });
  });

  it("answers 404 for changes to unknown tenants", async () => {
    expect(await failure(h.api.tenants.patch({ id: newId("tenant"), name: "x" }))).toMatchObject({
      status: 404,
    });
    expect(await failure(h.api.tenants.suspend({ id: newId("tenant") }))).toMatchObject({ status: 404 });
  });
});

describe("time on the context's clock", () => {
  it("stamps creation, changes and new credentials with it, and a status change too", async () => {
    const clock = testClock("2030-03-01T10:00:00.000Z");
    const timed = await createHarness({ clock });
    try {
      const created = await timed.api.tenants.create({ name: "Clocked", credentials: { token: "a" } });
      expect(created).toMatchObject({
        createdAt: "2030-03-01T10:00:00.000Z",
        updatedAt: "2030-03-01T10:00:00.000Z",
        credentialsUpdatedAt: "2030-03-01T10:00:00.000Z",
      });
      clock.advance(60_000);
      const patched = await timed.api.tenants.patch({ id: created.id, credentials: { token: "b" } });
      expect(patched).toMatchObject({
        createdAt: "2030-03-01T10:00:00.000Z",
        updatedAt: "2030-03-01T10:01:00.000Z",
        credentialsUpdatedAt: "2030-03-01T10:01:00.000Z",
        version: 2,
      });
      clock.advance(60_000);
      const suspended = await timed.api.tenants.suspend({ id: created.id });
      expect(suspended).toMatchObject({
        updatedAt: "2030-03-01T10:02:00.000Z",
        credentialsUpdatedAt: "2030-03-01T10:01:00.000Z",
      });
      expect(await timed.api.tenants.credentials({ id: created.id })).toEqual({
        credentials: { token: "b" },
        updatedAt: "2030-03-01T10:01:00.000Z",
      });
    } finally {
      await timed.close();
    }
  });
});

describe("API keys and workspaces", () => {
  it("refuses a missing, malformed, unknown or revoked key with 401", async () => {
    expect(await failure(h.callerWith({}).tenants.list({}))).toMatchObject({
      status: 401,
      code: "unauthorized",
    });
    expect(await failure(h.callerWith({ "x-api-key": "nope" }).tenants.list({}))).toMatchObject({
      status: 401,
    });
    const unknown = `tnt_sk_${"A".repeat(43)}`;
    expect(
      await failure(h.callerWith({ authorization: `Bearer ${unknown}` }).tenants.list({})),
    ).toMatchObject({
      status: 401,
    });
    const created = await h.api.apiKeys.create({ name: "short-lived" });
    const other = h.callerWith({ "x-api-key": created.key });
    await other.tenants.list({});
    await h.api.apiKeys.revoke({ id: created.id });
    expect(await failure(other.tenants.list({}))).toMatchObject({ status: 401 });
    const listed = await h.api.apiKeys.list();
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(listed.items.find((k) => k.id === created.id)?.revokedAt).not.toBeNull();
  });

  it("keeps workspaces apart: another workspace's key never sees these tenants", async () => {
    const tenant = await h.api.tenants.create({ name: "Private" });
    const otherWorkspace = newId("ws");
    await h.handle.db.insert(workspaces).values({ id: otherWorkspace, name: "Other" });
    const { key } = await createApiKey(h.handle.db, { workspaceId: otherWorkspace, name: "other" });
    const other = h.callerWith({ "x-api-key": key });
    expect(await failure(other.tenants.get({ id: tenant.id }))).toMatchObject({ status: 404 });
    expect(await failure(other.tenants.patch({ id: tenant.id, name: "Mine" }))).toMatchObject({
      status: 404,
    });
    expect(await failure(other.activity.listForTenant({ tenantId: tenant.id }))).toMatchObject({
      status: 404,
    });
    expect((await other.tenants.list({})).items).toEqual([]);
    // The same slug is free in another workspace.
    const same = await other.tenants.create({ name: "Private", slug: tenant.slug });
    expect(same.slug).toBe(tenant.slug);
    const [row] = await h.handle.db.select().from(tenants).where(eq(tenants.id, tenant.id));
    expect(row!.name).toBe("Private");
  });
});
