import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { body } from "./testing/response-body";
import { startTestServer, type TestServer } from "./testing/test-server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("custom permissions over REST", () => {
  it("defines a permission, gives it to a role and answers it in single and batch authz checks", async () => {
    const created = await body<{ id: string; key: string }>(
      await s.call("POST", "/api/v1/permissions", { key: "invoices:approve", name: "Approve invoices" }),
      201,
    );
    expect(created.id).toMatch(/^perm_/);
    expect(
      await body(
        await s.call("POST", "/api/v1/permissions", { key: "invoices:approve", name: "Again" }),
        409,
      ),
    ).toMatchObject({ code: "permission_key_taken" });
    const refused = await body<{ code: string; message: string }>(
      await s.call("POST", "/api/v1/permissions", { key: "members:approve", name: "Clash" }),
      400,
    );
    expect(refused.code).toBe("invalid_input");
    expect(refused.message).toContain("built-in resource");
    expect(
      await body(
        await s.call("PATCH", `/api/v1/permissions/${created.id}`, { description: "Over 1000 EUR" }),
        200,
      ),
    ).toMatchObject({ key: "invoices:approve", name: "Approve invoices", description: "Over 1000 EUR" });
    expect(
      await body<{ items: { key: string }[] }>(await s.call("GET", "/api/v1/permissions"), 200),
    ).toMatchObject({
      items: [{ key: "invoices:approve" }],
    });
    expect(await body(await s.call("GET", `/api/v1/permissions/${created.id}`), 200)).toMatchObject({
      key: "invoices:approve",
    });

    expect(
      await body(
        await s.call("POST", "/api/v1/roles", {
          key: "ghost",
          name: "Ghost",
          permissions: ["reports:export"],
        }),
        400,
      ),
    ).toMatchObject({ code: "unknown_permission" });
    const role = await body<{ id: string }>(
      await s.call("POST", "/api/v1/roles", {
        key: "approver",
        name: "Approver",
        permissions: ["members:read", "invoices:approve"],
      }),
      201,
    );
    const tenant = await body<{ id: string; ownerUserId: string }>(
      await s.call("POST", "/api/v1/tenants", { name: "REST perms", owner: { email: "owner@example.com" } }),
      201,
    );
    const member = await body<{ userId: string }>(
      await s.call("POST", `/api/v1/tenants/${tenant.id}/memberships`, {
        email: "approver@example.com",
        status: "active",
      }),
      201,
    );
    await body(
      await s.call("POST", `/api/v1/tenants/${tenant.id}/role-bindings`, {
        roleId: role.id,
        subject: { type: "user", id: member.userId },
      }),
      201,
    );
    expect(
      await body(
        await s.call("POST", "/api/v1/authz/check", {
          tenantId: tenant.id,
          userId: member.userId,
          permission: "invoices:approve",
        }),
        200,
      ),
    ).toEqual({ allowed: true, reason: "granted_by_role:approver" });
    expect(
      await body(
        await s.call("POST", "/api/v1/authz/check", {
          tenantId: tenant.id,
          userIds: [tenant.ownerUserId, member.userId],
          permissions: ["invoices:approve"],
        }),
        200,
      ),
    ).toEqual({
      results: [
        {
          userId: tenant.ownerUserId,
          permission: "invoices:approve",
          allowed: false,
          reason: "no_role_grants_it",
        },
        {
          userId: member.userId,
          permission: "invoices:approve",
          allowed: true,
          reason: "granted_by_role:approver",
        },
      ],
    });
    expect(
      await body(
        await s.call("POST", "/api/v1/authz/check", {
          tenantId: tenant.id,
          userId: member.userId,
          userIds: [member.userId],
          permission: "invoices:approve",
        }),
        400,
      ),
    ).toMatchObject({ code: "invalid_input" });

    await body(await s.call("DELETE", `/api/v1/permissions/${created.id}`), 204);
    expect(await body(await s.call("GET", `/api/v1/roles/${role.id}`), 200)).toMatchObject({
      permissions: ["members:read"],
    });
    expect(await body(await s.call("GET", `/api/v1/permissions/${created.id}`), 404)).toMatchObject({
      code: "not_found",
    });

    const document = await body<{ paths: Record<string, Record<string, unknown>> }>(
      await fetch(`${s.url}/api/v1/openapi.json`),
      200,
    );
    expect(Object.keys(document.paths["/permissions"] ?? {})).toEqual(
      expect.arrayContaining(["get", "post"]),
    );
    expect(Object.keys(document.paths["/permissions/{id}"] ?? {})).toEqual(
      expect.arrayContaining(["get", "patch", "delete"]),
    );
  });
});
