import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { body } from "./testing/response-body";
import { startTestServer, type TestServer } from "./testing/test-server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("members over REST", () => {
  it("runs the membership lifecycle, ownership transfer and authz check as DESIGN.md's table says", async () => {
    const tenant = await body<{ id: string; ownerUserId: string }>(
      await s.call("POST", "/api/v1/tenants", {
        name: "REST members",
        owner: { email: "owner@example.com" },
      }),
      201,
    );
    const invited = await body<{ userId: string; invitation: { token: string } }>(
      await s.call("POST", `/api/v1/tenants/${tenant.id}/memberships`, {
        email: "new@example.com",
        type: "admin",
      }),
      201,
    );
    const accepted = await body<{ status: string }>(
      await s.call("POST", "/api/v1/invitations/accept", { token: invited.invitation.token }),
      200,
    );
    expect(accepted.status).toBe("active");

    const list = await body<{ items: { userId: string }[]; nextCursor: string | null }>(
      await s.call("GET", `/api/v1/tenants/${tenant.id}/memberships?status=active&limit=10`),
      200,
    );
    expect(list.items).toHaveLength(2);

    const patched = await s.call(
      "PATCH",
      `/api/v1/tenants/${tenant.id}/memberships/${invited.userId}`,
      { status: "suspended" },
      { "if-match": '"2"' },
    );
    expect(await body(patched, 200)).toMatchObject({ status: "suspended", version: 3 });
    expect(
      await body(
        await s.call("PATCH", `/api/v1/tenants/${tenant.id}/memberships/${tenant.ownerUserId}`, {
          status: "suspended",
        }),
        409,
      ),
    ).toMatchObject({ code: "last_owner" });

    await body(
      await s.call("PATCH", `/api/v1/tenants/${tenant.id}/memberships/${invited.userId}`, {
        status: "active",
      }),
      200,
    );
    expect(
      await body(
        await s.call("POST", `/api/v1/tenants/${tenant.id}/ownership-transfer`, { toUserId: invited.userId }),
        200,
      ),
    ).toMatchObject({ type: "owner" });

    const roles = await body<{ items: { id: string; key: string }[] }>(
      await s.call("GET", "/api/v1/roles"),
      200,
    );
    const viewer = roles.items.find((role) => role.key === "viewer")!;
    const binding = await body<{ id: string }>(
      await s.call("POST", `/api/v1/tenants/${tenant.id}/role-bindings`, {
        roleId: viewer.id,
        subject: { type: "user", id: tenant.ownerUserId },
      }),
      201,
    );
    expect(
      await body(
        await s.call("POST", "/api/v1/authz/check", {
          tenantId: tenant.id,
          userId: invited.userId,
          permission: "tenant:write",
        }),
        200,
      ),
    ).toEqual({ allowed: true, reason: "granted_by_role:owner" });
    await body(await s.call("DELETE", `/api/v1/tenants/${tenant.id}/role-bindings/${binding.id}`), 204);

    await body(await s.call("DELETE", `/api/v1/tenants/${tenant.id}/memberships/${tenant.ownerUserId}`), 204);
    expect(await body(await s.call("GET", `/api/v1/users/${tenant.ownerUserId}`), 200)).toMatchObject({
      email: "owner@example.com",
    });
    expect(
      await body(
        await s.call("POST", `/api/v1/tenants/${tenant.id}/memberships`, { email: "bad email@example.com" }),
        400,
      ),
    ).toMatchObject({ code: "invalid_input" });
  });
});
