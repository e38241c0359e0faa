import { activityLog } from "@tenantry/db/schema/activity";
import { tenants } from "@tenantry/db/schema/tenants";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DecryptionError } from "../secrets/keyring";
import { describeError } from "../shared/errors";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const schema = {
  type: "object",
  properties: {
    region: { type: "string", enum: ["eu", "us"], title: "Region", "x-order": 1 },
    seats: { type: "integer", minimum: 1, maximum: 500, default: 5, "x-order": 2 },
    contact: { type: "string", format: "email", title: "Contact email" },
    apiToken: { type: "string", writeOnly: true, minLength: 8, title: "API token" },
  },
  required: ["region"],
};

async function rawRow(id: string) {
  const [row] = await h.handle.db.select().from(tenants).where(eq(tenants.id, id));
  return row!;
}

describe("the tenant field schema", () => {
  it("starts empty, is replaced whole, and moves its version", async () => {
    const empty = await h.api.fields.getSchema();
    expect(empty).toMatchObject({ version: 0, schema: { type: "object", properties: {} } });
    const saved = await h.api.fields.putSchema({ schema });
    expect(saved.version).toBe(1);
    const read = await h.api.fields.getSchema();
    expect(read.schema.properties.region).toMatchObject({ enum: ["eu", "us"] });
    expect(read.order).toEqual(["region", "seats", "apiToken", "contact"]);
  });

  it("refuses a schema that is not valid JSON Schema with 400 and keeps the old one", async () => {
    const before = await h.api.fields.getSchema();
    expect(
      await failure(
        h.api.fields.putSchema({
          schema: { type: "object", properties: { a: { type: "string", pattern: "[" } } },
        }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_field_schema" });
    expect(await failure(h.api.fields.putSchema({ schema: "not a schema" }))).toMatchObject({ status: 400 });
    expect((await h.api.fields.getSchema()).version).toBe(before.version);
  });
});

describe("writing fields", () => {
  it("fills defaults at creation, validates what is written and keeps keys the schema does not name", async () => {
    const tenant = await h.api.tenants.create({ name: "Fields Inc", fields: { region: "eu", legacyId: 42 } });
    expect(tenant.fields).toEqual({ region: "eu", seats: 5, legacyId: 42 });
    const patched = await h.api.tenants.patch({ id: tenant.id, fields: { seats: 12, note: "free text" } });
    expect(patched.fields).toEqual({ region: "eu", seats: 12, legacyId: 42, note: "free text" });
  });

  it.each([
    ["a value outside the enum", { region: "mars" }],
    ["a number over its maximum", { seats: 1000 }],
    ["a fraction for an integer", { seats: 1.5 }],
    ["a malformed email", { contact: "not-an-email" }],
    ["removing a required field", { region: null }],
    ["a too-short secret", { apiToken: "short" }],
  ])("refuses %s with 400, field by field, and changes nothing", async (_, fields) => {
    const tenant = await h.api.tenants.create({ name: "Strict", fields: { region: "us" } });
    const result = await failure(h.api.tenants.patch({ id: tenant.id, fields }));
    expect(result).toMatchObject({ status: 400, code: "invalid_fields" });
    expect(result.message).toContain(`fields.${Object.keys(fields)[0]}`);
    const after = await h.api.tenants.get({ id: tenant.id });
    expect(after.version).toBe(1);
    expect(after.fields).toEqual({ region: "us", seats: 5 });
  });

  it("seals secret fields: reads name them, never show them, and only the backend call opens them", async () => {
    const tenant = await h.api.tenants.create({
      name: "Secretive",
      fields: { region: "eu", apiToken: "tok_12345678" },
    });
    expect(tenant.fields).not.toHaveProperty("apiToken");
    expect(tenant.secretFieldsSet).toEqual(["apiToken"]);
    expect(JSON.stringify(await h.api.tenants.get({ id: tenant.id }))).not.toContain("tok_12345678");
    expect(JSON.stringify(await rawRow(tenant.id))).not.toContain("tok_12345678");
    expect(JSON.stringify(await h.handle.db.select().from(activityLog))).not.toContain("tok_12345678");
    expect(await h.api.tenants.secretFields({ id: tenant.id })).toEqual({
      values: { apiToken: "tok_12345678" },
    });
    const cleared = await h.api.tenants.patch({ id: tenant.id, fields: { apiToken: null } });
    expect(cleared.secretFieldsSet).toEqual([]);
  });

  it("keeps stored values when the schema changes and says which no longer fit", async () => {
    const tenant = await h.api.tenants.create({ name: "Drifting", fields: { region: "us", seats: 400 } });
    const stricter = {
      ...schema,
      properties: {
        ...schema.properties,
        seats: { type: "integer", maximum: 100 },
        tier: { type: "string" },
      },
      required: ["region", "tier"],
    };
    const saved = await h.api.fields.putSchema({ schema: stricter });
    expect(saved.tenantsNotFitting).toBeGreaterThanOrEqual(1);
    const read = await h.api.fields.getForTenant({ tenantId: tenant.id });
    expect(read.values).toMatchObject({ region: "us", seats: 400 });
    expect(read.issues.map((i) => i.path).sort()).toEqual(["fields.seats", "fields.tier"]);
    // Unrelated writes still work; the write judges only what it writes.
    await h.api.fields.patchForTenant({ tenantId: tenant.id, fields: { region: "eu" } });
    await h.api.fields.putSchema({ schema });
  });
});

describe("credentials", () => {
  it("are write-only: sealed, never in reads or the activity log, opened only by the backend call", async () => {
    const tenant = await h.api.tenants.create({ name: "Creds", fields: { region: "eu" } });
    const patched = await h.api.tenants.patch({
      id: tenant.id,
      credentials: { password: "hunter2-very-secret" },
    });
    expect(patched.hasCredentials).toBe(true);
    expect(JSON.stringify(patched)).not.toContain("hunter2");
    expect(JSON.stringify(await h.api.tenants.list({}))).not.toContain("hunter2");
    expect(JSON.stringify(await h.api.activity.listForTenant({ tenantId: tenant.id }))).not.toContain(
      "hunter2",
    );
    expect(JSON.stringify(await rawRow(tenant.id))).not.toContain("hunter2");
    expect((await h.api.tenants.credentials({ id: tenant.id })).credentials).toEqual({
      password: "hunter2-very-secret",
    });
    await h.api.tenants.patch({ id: tenant.id, credentials: null });
    expect(await h.api.tenants.credentials({ id: tenant.id })).toEqual({
      credentials: null,
      updatedAt: null,
    });
  });

  it("do not open when their ciphertext is moved to another tenant's row", async () => {
    const a = await h.api.tenants.create({
      name: "Row A",
      fields: { region: "eu" },
      credentials: { k: "a-secret" },
    });
    const b = await h.api.tenants.create({ name: "Row B", fields: { region: "eu" } });
    const sealed = (await rawRow(a.id)).credentialsSealed;
    await h.handle.db.update(tenants).set({ credentialsSealed: sealed }).where(eq(tenants.id, b.id));
    // The row's id is in the seal's associated data: a copied value does not open (and never leaks).
    const error = await h.api.tenants.credentials({ id: b.id }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).cause).toBeInstanceOf(DecryptionError);
    expect((error as TRPCError).cause?.message).toBe(
      "the value does not open: wrong key, altered, or moved from another row",
    );
    expect(describeError(error as TRPCError)).toMatchObject({
      status: 500,
      body: { code: "internal_error" },
    });
  });
});

describe("the test tenant", () => {
  it("mints a short-lived token that acts as the test tenant", async () => {
    await h.api.workspaces.putTestTenant({
      internalId: "qa-tenant",
      name: "QA tenant",
      fields: { region: "eu" },
    });
    const minted = await h.api.workspaces.mintTestTenantToken({
      scope: "fields:read",
      expiresInSeconds: 300,
    });
    const me = await h.callerWith({ authorization: `Bearer ${minted.token}` }).accessTokens.me();
    expect(me.tenant).toMatchObject({ id: minted.tenantId, internalId: "qa-tenant", name: "QA tenant" });
    expect(me.permissions).toEqual(["fields:read"]);
    expect(new Date(minted.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(300_000);
  });

  it("refuses settings whose fields break the schema or carry secrets", async () => {
    expect(
      await failure(
        h.api.workspaces.putTestTenant({ internalId: "qa", name: "QA", fields: { region: "mars" } }),
      ),
    ).toMatchObject({ status: 400 });
    expect(
      await failure(
        h.api.workspaces.putTestTenant({
          internalId: "qa",
          name: "QA",
          fields: { apiToken: "tok_12345678" },
        }),
      ),
    ).toMatchObject({ status: 400 });
  });
});

describe("fields from access tokens", () => {
  async function tokenFor(claims: Record<string, unknown>) {
    const { SignJWT } = await import("jose");
    const key = await h.api.signingKeys.create({ algorithm: "HS256" });
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: key.id })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(key.secret!));
  }

  it("refuses a fields claim that breaks the schema with 400 and changes nothing", async () => {
    const sub = `claims-${Math.random().toString(36).slice(2)}`;
    const bad = await tokenFor({ sub, fields: { region: "mars" } });
    expect(await failure(h.callerWith({ authorization: `Bearer ${bad}` }).accessTokens.me())).toMatchObject({
      status: 400,
      code: "invalid_fields",
    });
    expect((await h.api.tenants.list({ internalId: sub })).items).toEqual([]);
    const good = await tokenFor({ sub, fields: { region: "eu" } });
    const me = await h.callerWith({ authorization: `Bearer ${good}` }).accessTokens.me();
    const worse = await tokenFor({ sub, fields: { seats: -1 } });
    expect(await failure(h.callerWith({ authorization: `Bearer ${worse}` }).accessTokens.me())).toMatchObject(
      { status: 400 },
    );
    expect((await h.api.tenants.get({ id: me.tenant.id })).fields).toEqual({ region: "eu", seats: 5 });
  });

  it("lets a widget's token with fields:write set and remove a secret, never read it back", async () => {
    const token = await tokenFor({
      sub: "widget-secret",
      fields: { region: "eu" },
      scope: "fields:read fields:write",
    });
    const widget = h.callerWith({ authorization: `Bearer ${token}` });
    const { tenant } = await widget.accessTokens.me();
    const saved = await widget.fields.patchForTenant({
      tenantId: tenant.id,
      fields: { apiToken: "tok_12345678" },
    });
    expect(saved.secretFieldsSet).toEqual(["apiToken"]);
    expect(JSON.stringify(saved)).not.toContain("tok_12345678");
    expect(await h.api.tenants.secretFields({ id: tenant.id })).toEqual({
      values: { apiToken: "tok_12345678" },
    });
    expect(
      await failure(widget.fields.patchForTenant({ tenantId: tenant.id, fields: { apiToken: "short" } })),
    ).toMatchObject({ status: 400, code: "invalid_fields" });
    const cleared = await widget.fields.patchForTenant({ tenantId: tenant.id, fields: { apiToken: null } });
    expect(cleared.secretFieldsSet).toEqual([]);
  });

  it("refuses secrets in a token: tokens travel through the browser", async () => {
    const token = await tokenFor({ sub: "leaky", fields: { region: "eu", apiToken: "tok_12345678" } });
    expect(await failure(h.callerWith({ authorization: `Bearer ${token}` }).accessTokens.me())).toMatchObject(
      {
        status: 400,
      },
    );
  });
});
