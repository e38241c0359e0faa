import { signAccessToken } from "@tenantry/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

/**
 * Issue 16: one required field in the schema used to lock every new signup out (400 on every call,
 * `/me` included). Over real HTTP, on both databases: a schema change never locks anyone out.
 */
let s: TestServer;
let signingKey: { id: string; secret: string };

beforeAll(async () => {
  s = await startTestServer();
  const created = await s.call("POST", "/api/v1/signing-keys", { algorithm: "HS256" });
  const key = (await created.json()) as { id: string; secret: string };
  signingKey = { id: key.id, secret: key.secret };
});
afterAll(() => s.close());

const unique = () => Math.random().toString(36).slice(2, 10);

const token = (sub: string, fields?: Record<string, string | number>) =>
  signAccessToken({
    signingKey,
    tenant: { id: sub, name: `Tenant ${sub}`, ...(fields ? { fields } : {}) },
    scope: ["fields:read", "fields:write"],
    expiresIn: "5m",
  });

type FieldsStatus = { complete: boolean; missing: string[]; invalid: { field: string; message: string }[] };
/** The parts of the answers this file reads: `/me`, a fields answer, or an error. */
interface Answer {
  code?: string;
  message?: string;
  tenant: { id: string; fieldsStatus: FieldsStatus };
  fieldsStatus: FieldsStatus;
}

async function asToken(bearer: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${s.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

const putSchema = (required: string[]) =>
  s.call("PUT", "/api/v1/tenant-field-schema", {
    schema: {
      type: "object",
      required,
      properties: {
        plan: { type: "string", enum: ["free", "pro"], default: "free", "x-order": 1 },
        region: { type: "string", enum: ["eu", "us"], title: "Data region", "x-order": 2 },
      },
    },
  });

describe("a required field added while tenants already exist", () => {
  it("keeps old and new tenants working, marks them incomplete until it is filled in", async () => {
    expect((await putSchema([])).status).toBe(200);
    const oldSub = `old-${unique()}`;
    const oldToken = await token(oldSub);
    const before = await asToken(oldToken, "GET", "/me");
    expect(before.status).toBe(200);
    expect(before.body.tenant.fieldsStatus).toEqual({ complete: true, missing: [], invalid: [] });

    expect((await putSchema(["region"])).status).toBe(200);

    // A new sub whose token does not know the field: created, /me answers, marked incomplete.
    const newSub = `new-${unique()}`;
    const newToken = await token(newSub);
    const me = await asToken(newToken, "GET", "/me");
    expect(me.status).toBe(200);
    expect(me.body.tenant).toMatchObject({
      internalId: newSub,
      fields: { plan: "free" },
      fieldsStatus: { complete: false, missing: ["region"], invalid: [] },
    });
    const tenantId = me.body.tenant.id as string;

    // The existing tenant keeps working and is flagged the same way.
    const old = await asToken(oldToken, "GET", "/me");
    expect(old.status).toBe(200);
    expect(old.body.tenant.fieldsStatus).toEqual({ complete: false, missing: ["region"], invalid: [] });

    // Every tenant answer over REST carries it, and so does the fields status endpoint.
    const read = await s.call("GET", `/api/v1/tenants/${tenantId}`);
    expect(((await read.json()) as { fieldsStatus: unknown }).fieldsStatus).toEqual({
      complete: false,
      missing: ["region"],
      invalid: [],
    });
    const listed = (await (await s.call("GET", `/api/v1/tenants?internalId=${oldSub}`)).json()) as {
      items: { fieldsStatus: { missing: string[] } }[];
    };
    expect(listed.items[0]!.fieldsStatus.missing).toEqual(["region"]);
    const status = await asToken(newToken, "GET", `/tenants/${tenantId}/fields/status`);
    expect(status).toEqual({ status: 200, body: { complete: false, missing: ["region"], invalid: [] } });

    // A write of another field does not fail because region is missing.
    const plan = await asToken(newToken, "PATCH", `/tenants/${tenantId}/fields`, { fields: { plan: "pro" } });
    expect(plan.status).toBe(200);
    expect(plan.body.fieldsStatus.missing).toEqual(["region"]);

    // Filling it in makes the tenant complete.
    const filled = await asToken(newToken, "PATCH", `/tenants/${tenantId}/fields`, {
      fields: { region: "eu" },
    });
    expect(filled.status).toBe(200);
    expect(filled.body.fieldsStatus).toEqual({ complete: true, missing: [], invalid: [] });
    const after = await asToken(newToken, "GET", "/me");
    expect(after.body.tenant.fieldsStatus.complete).toBe(true);

    // A token that brings the field fills it in on first sight.
    const complete = await asToken(await token(`filled-${unique()}`, { region: "us" }), "GET", "/me");
    expect(complete.body.tenant.fieldsStatus).toEqual({ complete: true, missing: [], invalid: [] });
  });

  it("answers an invalid value in a token's fields claim with 400 invalid_fields and creates nothing", async () => {
    expect((await putSchema(["region"])).status).toBe(200);
    const sub = `invalid-${unique()}`;
    const refused = await asToken(await token(sub, { region: "mars" }), "GET", "/me");
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe("invalid_fields");
    expect(refused.body.message).toContain("fields.region must be one of eu, us");
    const listed = (await (await s.call("GET", `/api/v1/tenants?internalId=${sub}`)).json()) as {
      items: unknown[];
    };
    expect(listed.items).toEqual([]);
  });
});
