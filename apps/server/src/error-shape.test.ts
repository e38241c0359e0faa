import { ERROR_CODES } from "@tenantry/api/http";
import { createTenantryClient, TenantryClientError } from "@tenantry/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const unique = () => Math.random().toString(36).slice(2, 10);

interface TrpcError {
  message: string;
  data: { appCode: string; httpStatus: number; issues?: unknown; details?: Record<string, unknown> };
}

async function rest(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const response = await s.call(method, `/api/v1${path}`, body, headers);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** One tRPC mutation over HTTP, as any tRPC client sends it. */
async function trpcMutation(path: string, input: unknown): Promise<{ status: number; error: TrpcError }> {
  const response = await fetch(`${s.url}/trpc/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { error: TrpcError };
  return { status: response.status, error: body.error };
}

async function tenantCount(): Promise<number> {
  const { body } = await rest("GET", "/tenants?limit=100");
  return (body.items as unknown[]).length;
}

/** Input refused by POST /tenants (tenants.create) and what a person is told about it. */
const badTenantInputs: [string, Record<string, unknown>, string, { path: string; message: string }[]][] = [
  ["a missing value", {}, "name is required", [{ path: "name", message: "is required" }]],
  ["a wrong type", { name: 42 }, "name must be a string", [{ path: "name", message: "must be a string" }]],
  [
    "a value not in the enum",
    { name: "Acme", kind: "huge" },
    "kind must be one of standard, enterprise, trial",
    [{ path: "kind", message: "must be one of standard, enterprise, trial" }],
  ],
  [
    "a value too long",
    { name: "x".repeat(201) },
    "name must be at most 200 characters",
    [{ path: "name", message: "must be at most 200 characters" }],
  ],
  [
    "a malformed email",
    { name: "Acme", billingEmail: "nope" },
    "billingEmail must be a valid email address",
    [{ path: "billingEmail", message: "must be a valid email address" }],
  ],
  [
    "an unknown key",
    { name: "Acme", colour: "red" },
    "colour is not a known field",
    [{ path: "colour", message: "is not a known field" }],
  ],
];

describe("one error shape in plain words", () => {
  it.each(badTenantInputs)(
    "REST: %s is a 400 with code, message, issues and requestId, and nothing else",
    async (_, input, message, issues) => {
      const before = await tenantCount();
      const { status, body } = await rest("POST", "/tenants", input, { "x-request-id": `req-${unique()}` });
      expect(status).toBe(400);
      expect(body).toEqual({ code: "invalid_input", message, issues, requestId: expect.any(String) });
      expect(await tenantCount()).toBe(before);
    },
  );

  it.each(badTenantInputs)(
    "tRPC: %s carries the same code, message and issues",
    async (_, input, message, issues) => {
      const { status, error } = await trpcMutation("tenants.create", input);
      expect(status).toBe(400);
      expect(error.message).toBe(message);
      expect(error.data).toMatchObject({ appCode: "invalid_input", httpStatus: 400, issues });
      expect(error.data).not.toHaveProperty("details");
      expect(JSON.stringify(error)).not.toMatch(/stack|Invalid input|expected string/);
    },
  );

  it("has issues once: at the top level over REST, in data.issues over tRPC, never under details", async () => {
    const schema = { type: "object", properties: { region: { type: "string", enum: ["eu", "us"] } } };
    expect((await rest("PUT", "/tenant-field-schema", { schema })).status).toBe(200);
    const tenant = (await rest("POST", "/tenants", { name: `Fields ${unique()}` })).body as { id: string };
    const expected = [{ path: "fields.region", message: "must be one of eu, us" }];

    const answer = await rest("PATCH", `/tenants/${tenant.id}/fields`, { fields: { region: "mars" } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      code: "invalid_fields",
      message: "fields.region must be one of eu, us",
      issues: expected,
      requestId: expect.any(String),
    });

    const { error } = await trpcMutation("fields.patchForTenant", {
      tenantId: tenant.id,
      fields: { region: "mars" },
    });
    expect(error.data).toMatchObject({ appCode: "invalid_fields", issues: expected });
    expect(error.data).not.toHaveProperty("details");
  });

  it("keeps a code's documented extra members: beside code over REST, under data.details over tRPC", async () => {
    const tenant = (await rest("POST", "/tenants", { name: `Versioned ${unique()}` })).body as { id: string };
    await rest("PATCH", `/tenants/${tenant.id}`, { kind: "enterprise" });

    const stale = await rest("PATCH", `/tenants/${tenant.id}`, { kind: "trial" }, { "if-match": '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({
      code: "version_conflict",
      message: expect.stringContaining("version 2"),
      currentVersion: 2,
      requestId: expect.any(String),
    });

    const { status, error } = await trpcMutation("tenants.patch", {
      id: tenant.id,
      kind: "trial",
      expectedVersion: 1,
    });
    expect(status).toBe(409);
    expect(error.data).toMatchObject({ appCode: "version_conflict", details: { currentVersion: 2 } });
  });

  it("@tenantry/client rejects with code, status, message, issues and a code's extra members", async () => {
    const tenantry = createTenantryClient({ baseUrl: `${s.url}/`, apiKey: s.apiKey });
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => null,
        (e: unknown) => e,
      );
    const invalid = await refusal(tenantry.tenants.create.mutate({ name: "Acme", kind: "huge" } as never));
    expect(invalid).toBeInstanceOf(TenantryClientError);
    expect(invalid).toMatchObject({
      code: "invalid_input",
      status: 400,
      message: "kind must be one of standard, enterprise, trial",
      issues: [{ path: "kind", message: "must be one of standard, enterprise, trial" }],
      details: {},
    });

    const tenant = await tenantry.tenants.create.mutate({ name: `Client ${unique()}` });
    await tenantry.tenants.patch.mutate({ id: tenant.id, kind: "enterprise" });
    const stale = await refusal(
      tenantry.tenants.patch.mutate({ id: tenant.id, kind: "trial", expectedVersion: 1 }),
    );
    expect(stale).toMatchObject({
      code: "version_conflict",
      status: 409,
      issues: [],
      details: { currentVersion: 2 },
    });
  });
});

describe("the OpenAPI document's errors", () => {
  type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };

  async function document() {
    const response = await fetch(`${s.url}/api/v1/openapi.json`);
    return (await response.json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: { Error: { properties: { code: { enum: string[] } }; description: string } } };
    };
  }

  const statuses = (operation: Operation | undefined) => Object.keys(operation?.responses ?? {});

  it("lists per operation the error statuses it can answer, each with the error schema", async () => {
    const { paths } = await document();
    // 503: every route answers it while the server starts, before its database is ready.
    expect(statuses(paths["/tenants"]?.get)).toEqual(["200", "400", "401", "403", "500", "503"]);
    expect(statuses(paths["/tenants"]?.post)).toEqual([
      "201",
      "400",
      "401",
      "403",
      "409",
      "413",
      "415",
      "500",
      "503",
    ]);
    expect(statuses(paths["/tenants/{id}"]?.get)).toEqual(["200", "400", "401", "403", "404", "500", "503"]);
    expect(statuses(paths["/tenants/{tenantId}/usage"]?.post)).toContain("429");
    expect(statuses(paths["/connections/{id}/credentials"]?.get)).toEqual(
      expect.arrayContaining(["409", "502", "503"]),
    );
    for (const methods of Object.values(paths)) {
      for (const operation of Object.values(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue;
          expect(response.content?.["application/json"]?.schema).toEqual({
            $ref: "#/components/schemas/Error",
          });
        }
      }
    }
  });

  it("names every error code in the error schema", async () => {
    const { components } = await document();
    expect([...components.schemas.Error.properties.code.enum].sort()).toEqual(
      Object.keys(ERROR_CODES).sort(),
    );
    for (const code of Object.keys(ERROR_CODES))
      expect(components.schemas.Error.description).toContain(`\`${code}\``);
  });
});
