import { signAccessToken } from "@tenantry/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

/**
 * Issue 15's attacks by a tenant's own admin, over REST with real access tokens: the membership
 * `type` is a label, ownership is the owner role, and nobody grants what they do not hold.
 */
let s: TestServer;
let signingKey: { id: string; secret: string };
beforeAll(async () => {
  s = await startTestServer();
  const key = (await (await s.call("POST", "/api/v1/signing-keys", { algorithm: "HS256" })).json()) as {
    id: string;
    secret: string;
  };
  signingKey = { id: key.id, secret: key.secret };
});
afterAll(() => s.close());

const unique = () => Math.random().toString(36).slice(2, 10);

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A tenant with an owner, an admin (two accounts) and a viewer, each with its own token. */
async function team() {
  const internalId = `acme-${unique()}`;
  const tenant = await json<{ id: string; ownerUserId: string }>(
    await s.call("POST", "/api/v1/tenants", {
      name: "Acme",
      internalId,
      owner: { email: `owner-${unique()}@example.com`, externalId: `owner-${unique()}` },
    }),
    201,
  );
  const member = async (role: string) => {
    const externalId = `${role}-${unique()}`;
    const created = await json<{ userId: string }>(
      await s.call("POST", `/api/v1/tenants/${tenant.id}/memberships`, {
        email: `${externalId}@example.com`,
        externalId,
        status: "active",
        roles: [role],
      }),
      201,
    );
    const token = await signAccessToken({
      signingKey,
      tenant: { id: internalId },
      user: { id: externalId },
      expiresIn: "10m",
    });
    const as = (method: string, path: string, body?: unknown) =>
      fetch(`${s.url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    return { userId: created.userId, as };
  };
  return {
    tenant,
    admin: await member("admin"),
    secondAdmin: await member("admin"),
    viewer: await member("viewer"),
  };
}

async function owners(tenantId: string): Promise<string[]> {
  const page = await json<{ items: { userId: string; roles: string[] }[] }>(
    await s.call("GET", `/api/v1/tenants/${tenantId}/memberships?status=active&limit=100`),
    200,
  );
  return page.items.filter((m) => m.roles.includes("owner")).map((m) => m.userId);
}

async function holds(tenantId: string, userId: string, permission: string): Promise<boolean> {
  const answer = await json<{ allowed: boolean }>(
    await s.call("POST", "/api/v1/authz/check", { tenantId, userId, permission }),
    200,
  );
  return answer.allowed;
}

describe("a tenant's admin cannot take ownership", () => {
  it("cannot relabel a member as owner, and a relabel would not make an owner anyway", async () => {
    const { tenant, admin, viewer } = await team();
    const relabel = await admin.as("PATCH", `/tenants/${tenant.id}/memberships/${viewer.userId}`, {
      type: "owner",
    });
    expect(relabel.status).toBe(403);
    // Even the API key's relabel grants nothing: the real owner is still the last one.
    await json(
      await s.call("PATCH", `/api/v1/tenants/${tenant.id}/memberships/${viewer.userId}`, { type: "owner" }),
      200,
    );
    const removeOwner = await admin.as("DELETE", `/tenants/${tenant.id}/memberships/${tenant.ownerUserId}`);
    expect(await json(removeOwner, 409)).toMatchObject({ code: "last_owner" });
    expect(await owners(tenant.id)).toEqual([tenant.ownerUserId]);
    expect(await holds(tenant.id, viewer.userId, "tenant:write")).toBe(false);
  });

  it("cannot transfer ownership to itself through a second account", async () => {
    const { tenant, admin, secondAdmin } = await team();
    expect(
      (await admin.as("PATCH", `/tenants/${tenant.id}/memberships/${secondAdmin.userId}`, { type: "owner" }))
        .status,
    ).toBe(403);
    const transfer = await secondAdmin.as("POST", `/tenants/${tenant.id}/ownership-transfer`, {
      toUserId: admin.userId,
    });
    expect(await json(transfer, 403)).toMatchObject({ code: "forbidden" });
    expect(await owners(tenant.id)).toEqual([tenant.ownerUserId]);
    expect(await holds(tenant.id, admin.userId, "tenant:write")).toBe(false);
  });

  it("cannot bind itself or anyone the owner role, nor unbind the owner's", async () => {
    const { tenant, admin } = await team();
    const roles = await json<{ items: { id: string; key: string }[] }>(
      await s.call("GET", "/api/v1/roles"),
      200,
    );
    const ownerRole = roles.items.find((role) => role.key === "owner")!;
    const bind = await admin.as("POST", `/tenants/${tenant.id}/role-bindings`, {
      roleId: ownerRole.id,
      subject: { type: "user", id: admin.userId },
    });
    expect(bind.status).toBe(403);
    const bindings = await json<{ items: { id: string; roleKey: string; subject: { id: string } }[] }>(
      await s.call("GET", `/api/v1/tenants/${tenant.id}/role-bindings`),
      200,
    );
    const ownerBinding = bindings.items.find(
      (b) => b.roleKey === "owner" && b.subject.id === tenant.ownerUserId,
    )!;
    expect((await admin.as("DELETE", `/tenants/${tenant.id}/role-bindings/${ownerBinding.id}`)).status).toBe(
      403,
    );
    expect(await owners(tenant.id)).toEqual([tenant.ownerUserId]);
  });

  it("lets a real owner transfer, and keeps exactly one owner when two transfers race", async () => {
    const { tenant, admin, secondAdmin } = await team();
    // The owner's own token: the tenant's first owner was created with an external id.
    const owner = await json<{ user: { externalId: string | null }; externalId: string | null }>(
      await s.call("GET", `/api/v1/tenants/${tenant.id}/memberships/${tenant.ownerUserId}`),
      200,
    );
    const ownerExternalId = owner.externalId ?? owner.user.externalId;
    const tenantRow = await json<{ internalId: string }>(
      await s.call("GET", `/api/v1/tenants/${tenant.id}`),
      200,
    );
    const token = await signAccessToken({
      signingKey,
      tenant: { id: tenantRow.internalId },
      user: { id: ownerExternalId! },
      expiresIn: "10m",
    });
    const transfer = (toUserId: string) =>
      fetch(`${s.url}/api/v1/tenants/${tenant.id}/ownership-transfer`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ toUserId }),
      });
    const results = await Promise.all([transfer(admin.userId), transfer(secondAdmin.userId)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
    const after = await owners(tenant.id);
    expect(after).toHaveLength(1);
    expect([admin.userId, secondAdmin.userId]).toContain(after[0]);
  });
});

describe("users shared by the workspace's tenants", () => {
  it("a tenant's admin inviting someone known elsewhere sees and changes only its own tenant's view", async () => {
    // Tenant B, through the host's backend: Vera, with the host's id for her.
    const internalB = `b-${unique()}`;
    const tenantB = await json<{ id: string }>(
      await s.call("POST", "/api/v1/tenants", { name: "B", internalId: internalB }),
      201,
    );
    const veraExternal = `vera-${unique()}`;
    const email = `vera-${unique()}@example.com`;
    const vera = await json<{ userId: string }>(
      await s.call("POST", `/api/v1/tenants/${tenantB.id}/memberships`, {
        email,
        firstName: "Vera",
        lastName: "Secretname",
        externalId: veraExternal,
        status: "active",
        roles: ["viewer"],
      }),
      201,
    );
    const veraInB = await signAccessToken({
      signingKey,
      tenant: { id: internalB },
      user: { id: veraExternal },
      expiresIn: "5m",
    });
    const me = (token: string) =>
      fetch(`${s.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me(veraInB)).status).toBe(200);

    // Tenant A's admin invites the same email with its own id and name for her.
    const { tenant: tenantA, admin } = await team();
    const invited = await admin.as("POST", `/tenants/${tenantA.id}/memberships`, {
      email,
      firstName: "V.",
      externalId: "attacker-chosen-id",
    });
    const text = await invited.text();
    expect(invited.status, text).toBe(201);
    expect(text).not.toContain("Secretname");
    expect(text).not.toContain(veraExternal);
    expect(text).not.toContain(tenantB.id);
    expect(JSON.parse(text).user).toMatchObject({ id: vera.userId, firstName: "V.", lastName: null });

    // Her shared identity is untouched, and B still sees its own view.
    const user = await json<{ externalId: string; firstName: string }>(
      await s.call("GET", `/api/v1/users/${vera.userId}`),
      200,
    );
    expect(user).toMatchObject({ externalId: veraExternal, firstName: "Vera" });
    const inB = await json<{ user: { firstName: string } }>(
      await s.call("GET", `/api/v1/tenants/${tenantB.id}/memberships/${vera.userId}`),
      200,
    );
    expect(inB.user.firstName).toBe("Vera");
    // Her own token in B still works; A's id for her reaches nothing in B.
    expect((await me(veraInB)).status).toBe(200);
    const hijack = await signAccessToken({
      signingKey,
      tenant: { id: internalB },
      user: { id: "attacker-chosen-id" },
      expiresIn: "5m",
    });
    expect(await json(await me(hijack), 403)).toMatchObject({ code: "not_a_member" });

    // A's id is unique within A, and the conflict names nobody.
    const again = await admin.as("POST", `/tenants/${tenantA.id}/memberships`, {
      email: `other-${unique()}@example.com`,
      externalId: "attacker-chosen-id",
    });
    const conflict = await json<{ code: string; message: string }>(again, 409);
    expect(conflict.code).toBe("external_id_taken");
    expect(JSON.stringify(conflict)).not.toMatch(/user_/);
  });
});
