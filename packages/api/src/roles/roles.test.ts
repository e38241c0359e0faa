import { PERMISSIONS } from "@tenantry/contracts/permissions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

/** The single form of authz.check answers one decision (the batch form answers `{ results }`). */
async function checkOne(input: { tenantId: string; userId: string; permission: string }) {
  const answer = await h.api.roles.check(input);
  if (!("allowed" in answer)) throw new Error("the single form answered a batch");
  return answer;
}

async function tenantWithMember() {
  const id = unique();
  const tenant = await h.api.tenants.create({
    name: `Roles ${id}`,
    owner: { email: `owner-${id}@example.com` },
  });
  const member = await h.api.members.create({
    tenantId: tenant.id,
    email: `member-${id}@example.com`,
    status: "active",
    roles: [],
  });
  return { tenant, ownerId: tenant.ownerUserId!, memberId: member.userId };
}

describe("roles", () => {
  it("starts with the built-in owner, admin, member and viewer roles, which can be changed but not deleted", async () => {
    const { items } = await h.api.roles.list();
    expect(items.map((r) => r.key)).toEqual(expect.arrayContaining(["owner", "admin", "member", "viewer"]));
    const owner = items.find((r) => r.key === "owner")!;
    expect(owner.permissions).toEqual([...PERMISSIONS].sort());
    const viewer = items.find((r) => r.key === "viewer")!;
    expect(viewer.permissions.every((p) => p.endsWith(":read"))).toBe(true);

    const changed = await h.api.roles.update({ id: viewer.id, permissions: ["tenant:read", "members:read"] });
    expect(changed.permissions).toEqual(["members:read", "tenant:read"]);
    expect(await failure(h.api.roles.delete({ id: viewer.id }))).toMatchObject({ status: 409 });
  });

  it("creates roles from catalog permissions only, with unique keys", async () => {
    const key = `support-${unique()}`;
    const role = await h.api.roles.create({
      key,
      name: "Support",
      permissions: ["members:read", "usage:read"],
    });
    expect(role).toMatchObject({ key, builtIn: false, permissions: ["members:read", "usage:read"] });
    expect(await failure(h.api.roles.create({ key, name: "Again", permissions: [] }))).toMatchObject({
      status: 409,
    });
    for (const bad of [
      { key: `x-${unique()}`, name: "Bad", permissions: ["members:destroy"] },
      { key: "Has Spaces", name: "Bad", permissions: [] },
      { key: `y-${unique()}`, name: "", permissions: [] },
    ]) {
      expect(await failure(h.api.roles.create(bad as never))).toMatchObject({
        status: 400,
        code: "invalid_input",
      });
    }
    await h.api.roles.delete({ id: role.id });
    expect(await failure(h.api.roles.get({ id: role.id }))).toMatchObject({ status: 404 });
  });
});

describe("authz.check", () => {
  it("requires an active membership first, then a binding that grants the permission", async () => {
    const { tenant, ownerId, memberId } = await tenantWithMember();
    const check = (userId: string, permission: (typeof PERMISSIONS)[number]) =>
      checkOne({ tenantId: tenant.id, userId, permission });

    expect(await check(ownerId, "tenant:write")).toEqual({ allowed: true, reason: "granted_by_role:owner" });
    expect(await check(memberId, "members:read")).toEqual({ allowed: false, reason: "no_role_grants_it" });

    const roles = (await h.api.roles.list()).items;
    const admin = roles.find((r) => r.key === "admin")!;
    const binding = await h.api.roles.bind({
      tenantId: tenant.id,
      roleId: admin.id,
      subject: { type: "user", id: memberId },
    });
    expect(await check(memberId, "members:write")).toEqual({
      allowed: true,
      reason: "granted_by_role:admin",
    });
    expect(await check(memberId, "tenant:write")).toEqual({ allowed: false, reason: "no_role_grants_it" });
    expect(
      await failure(
        h.api.roles.bind({ tenantId: tenant.id, roleId: admin.id, subject: { type: "user", id: memberId } }),
      ),
    ).toMatchObject({ status: 409 });

    // Suspended: the membership precheck says no before any binding is looked at.
    await h.api.members.patch({ tenantId: tenant.id, userId: memberId, status: "suspended" });
    expect(await check(memberId, "members:write")).toEqual({
      allowed: false,
      reason: "membership_suspended",
    });
    await h.api.members.patch({ tenantId: tenant.id, userId: memberId, status: "active" });

    await h.api.roles.unbind({ tenantId: tenant.id, id: binding.id });
    expect((await check(memberId, "members:write")).allowed).toBe(false);

    // A binding in one tenant grants nothing in another.
    const other = await tenantWithMember();
    expect(await check(other.ownerId, "tenant:read")).toEqual({ allowed: false, reason: "not_a_member" });
  });

  it("grants through groups, and stops when the member leaves the group", async () => {
    const { tenant, memberId } = await tenantWithMember();
    const group = await h.api.roles.createGroup({ tenantId: tenant.id, name: "Billing" });
    const viewerish = await h.api.roles.create({
      key: `billing-${unique()}`,
      name: "Billing",
      permissions: ["usage:read", "usage:write"],
    });
    await h.api.roles.bind({
      tenantId: tenant.id,
      roleId: viewerish.id,
      subject: { type: "group", id: group.id },
    });
    const check = () => checkOne({ tenantId: tenant.id, userId: memberId, permission: "usage:write" });
    expect((await check()).allowed).toBe(false);
    await h.api.roles.addGroupMember({ tenantId: tenant.id, groupId: group.id, userId: memberId });
    expect(await check()).toEqual({ allowed: true, reason: `granted_by_role:${viewerish.key}` });
    expect((await h.api.roles.listGroups({ tenantId: tenant.id })).items[0]!.memberUserIds).toEqual([
      memberId,
    ]);
    await h.api.roles.removeGroupMember({ tenantId: tenant.id, groupId: group.id, userId: memberId });
    expect((await check()).allowed).toBe(false);
    expect(await failure(h.api.roles.createGroup({ tenantId: tenant.id, name: "Billing" }))).toMatchObject({
      status: 409,
    });
  });

  it("answers 404 for unknown tenants, users, roles and cross-tenant subjects, and 400 for unknown permissions", async () => {
    const { tenant, memberId } = await tenantWithMember();
    const other = await tenantWithMember();
    const unknownTenant = "tenant_01900000-0000-7000-8000-000000000000";
    const unknownUser = "user_01900000-0000-7000-8000-000000000000";
    const admin = (await h.api.roles.list()).items.find((r) => r.key === "admin")!;
    const before = (await h.api.roles.listBindings({ tenantId: tenant.id })).items.length;
    const cases: [() => Promise<unknown>, number][] = [
      [
        () => h.api.roles.check({ tenantId: unknownTenant, userId: memberId, permission: "tenant:read" }),
        404,
      ],
      [() => h.api.roles.check({ tenantId: tenant.id, userId: unknownUser, permission: "tenant:read" }), 404],
      [() => h.api.roles.check({ tenantId: tenant.id, userId: memberId, permission: "root" as never }), 400],
      [
        () =>
          h.api.roles.bind({
            tenantId: tenant.id,
            roleId: "role_01900000-0000-7000-8000-000000000000",
            subject: { type: "user", id: memberId },
          }),
        404,
      ],
      // The other tenant's member is not a member here.
      [
        () =>
          h.api.roles.bind({
            tenantId: tenant.id,
            roleId: admin.id,
            subject: { type: "user", id: other.memberId },
          }),
        404,
      ],
      [
        () =>
          h.api.roles.bind({
            tenantId: tenant.id,
            roleId: admin.id,
            subject: { type: "robot", id: memberId } as never,
          }),
        400,
      ],
    ];
    for (const [call, status] of cases) expect((await failure(call())).status).toBe(status);
    expect((await h.api.roles.listBindings({ tenantId: tenant.id })).items).toHaveLength(before);
  });

  it("logs role and binding changes with their actor", async () => {
    const { tenant, memberId } = await tenantWithMember();
    const viewer = (await h.api.roles.list()).items.find((r) => r.key === "viewer")!;
    const binding = await h.api.roles.bind({
      tenantId: tenant.id,
      roleId: viewer.id,
      subject: { type: "user", id: memberId },
    });
    await h.api.roles.unbind({ tenantId: tenant.id, id: binding.id });
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id, limit: 50 });
    const actions = log.items.map((entry) => entry.action);
    expect(actions).toEqual(expect.arrayContaining(["role_binding.created", "role_binding.deleted"]));
    expect(log.items[0]!.actor.type).toBe("api_key");
  });
});
