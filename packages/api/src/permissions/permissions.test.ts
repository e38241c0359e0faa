import { activityLog } from "@tenantry/db/schema/activity";
import { roles } from "@tenantry/db/schema/members";
import { permissions } from "@tenantry/db/schema/permissions";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";

let h: Harness;
let signer: { kid: string; key: CryptoKey };

beforeAll(async () => {
  h = await createHarness();
  // ES256: a public key registered, the private one signs here, as a host's backend would.
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const created = await h.api.signingKeys.create({
    algorithm: "ES256",
    publicJwk: { ...(await exportJWK(publicKey)) },
  });
  signer = { kid: created.id, key: privateKey };
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

function token(claims: Record<string, unknown>) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: signer.kid })
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(signer.key);
}

async function definePermission(resource = `invoices-${unique()}`, action = "approve") {
  return h.api.permissions.create({ key: `${resource}:${action}`, name: `Approve ${resource}` });
}

async function tenantWithMember() {
  const id = unique();
  const tenant = await h.api.tenants.create({
    name: `Custom ${id}`,
    owner: { email: `owner-${id}@example.com` },
  });
  const member = await h.api.members.create({
    tenantId: tenant.id,
    email: `member-${id}@example.com`,
    externalId: `host-user-${id}`,
    status: "active",
    roles: [],
  });
  return { tenant, ownerId: tenant.ownerUserId!, memberId: member.userId, externalId: `host-user-${id}` };
}

async function checkOne(input: { tenantId: string; userId: string; permission: string }) {
  const answer = await h.api.roles.check(input);
  if (!("allowed" in answer)) throw new Error("the single form answered a batch");
  return answer;
}

async function workspaceActivity(targetId: string) {
  return h.handle.db
    .select({ action: activityLog.action, tenantId: activityLog.tenantId, changes: activityLog.changes })
    .from(activityLog)
    .where(and(eq(activityLog.workspaceId, h.workspaceId), eq(activityLog.targetId, targetId)))
    .orderBy(asc(activityLog.id));
}

async function permissionCount() {
  const [row] = await h.handle.db
    .select({ n: sql<number>`count(*)::int` })
    .from(permissions)
    .where(eq(permissions.workspaceId, h.workspaceId));
  return row!.n;
}

describe("custom permissions", () => {
  it("are created, read, renamed and deleted with the API key, each change logged for the workspace", async () => {
    const key = `reports-${unique()}:export`;
    const created = await h.api.permissions.create({
      key,
      name: "Export reports",
      description: "CSV and PDF",
    });
    expect(created).toMatchObject({ key, name: "Export reports", description: "CSV and PDF" });
    expect(created.id).toMatch(/^perm_/);
    expect(await h.api.permissions.get({ id: created.id })).toEqual(created);
    expect((await h.api.permissions.list()).items.map((p) => p.key)).toContain(key);

    const renamed = await h.api.permissions.update({
      id: created.id,
      name: "Export a report",
      description: null,
    });
    expect(renamed).toMatchObject({ key, name: "Export a report", description: null });
    // The key is the permission's identity: an update cannot change it.
    expect(
      await failure(h.api.permissions.update({ id: created.id, key: "reports:other" } as never)),
    ).toMatchObject({ status: 400, code: "invalid_input" });

    await h.api.permissions.delete({ id: created.id });
    expect(await failure(h.api.permissions.get({ id: created.id }))).toMatchObject({ status: 404 });
    expect(await failure(h.api.permissions.delete({ id: created.id }))).toMatchObject({ status: 404 });

    const log = await workspaceActivity(created.id);
    expect(log.map((entry) => entry.action)).toEqual([
      "permission.created",
      "permission.updated",
      "permission.deleted",
    ]);
    expect(log.every((entry) => entry.tenantId === null)).toBe(true);
    expect(log[1]!.changes).toEqual({
      before: { name: "Export reports", description: "CSV and PDF" },
      after: { name: "Export a report", description: null },
    });
  });

  it("refuses malformed keys, built-in ones and keys in a built-in resource's namespace, creating nothing", async () => {
    const before = await permissionCount();
    for (const key of [
      "members:read", // built-in
      "members:approve", // a built-in resource's namespace
      "tenant:export",
      "Invoices:Approve",
      "invoices",
      "invoices:",
      ":approve",
      "invoices approve:x",
      "invoices:approve:now:too-deep",
      "invoices:-approve",
      `invoices:${"a".repeat(100)}`,
    ]) {
      const refused = await failure(h.api.permissions.create({ key, name: "Bad" }));
      expect(refused, key).toMatchObject({ status: 400, code: "invalid_input" });
    }
    expect(
      (await failure(h.api.permissions.create({ key: "members:approve", name: "x" }))).message,
    ).toContain("built-in resource");
    expect(
      await failure(h.api.permissions.create({ key: `ok-${unique()}:read`, name: "   " })),
    ).toMatchObject({ status: 400 });
    expect(await permissionCount()).toBe(before);
    // Dots, hyphens and underscores inside parts, and a third part, are fine.
    const fine = await h.api.permissions.create({
      key: `org.billing_${unique()}:invoice-lines:approve`,
      name: "Ok",
    });
    expect(fine.key).toMatch(/^org\.billing_/);
  });

  it("answers 409 permission_key_taken for a duplicate key, also when two creates race", async () => {
    const key = `exports-${unique()}:run`;
    await h.api.permissions.create({ key, name: "Run exports" });
    expect(await failure(h.api.permissions.create({ key, name: "Again" }))).toMatchObject({
      status: 409,
      code: "permission_key_taken",
    });

    const raced = `races-${unique()}:win`;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => h.api.permissions.create({ key: raced, name: `Racer ${i}` })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect(await failure(Promise.reject((r as PromiseRejectedResult).reason))).toMatchObject({
        status: 409,
        code: "permission_key_taken",
      });
    }
  });
});

describe("roles with custom permissions", () => {
  it("mix built-in and custom keys; an unknown custom key is 400 unknown_permission naming it", async () => {
    const approve = await definePermission();
    const role = await h.api.roles.create({
      key: `approver-${unique()}`,
      name: "Approver",
      permissions: ["members:read", approve.key],
    });
    expect(role.permissions).toEqual([approve.key, "members:read"].sort());

    const missing = `ghost-${unique()}:haunt`;
    const refused = await failure(
      h.api.roles.create({ key: `ghost-${unique()}`, name: "Ghost", permissions: [approve.key, missing] }),
    );
    expect(refused).toMatchObject({ status: 400, code: "unknown_permission" });
    expect(refused.message).toContain(missing);
    expect(
      await failure(h.api.roles.update({ id: role.id, permissions: ["members:read", missing] })),
    ).toMatchObject({ status: 400, code: "unknown_permission" });
    expect((await h.api.roles.get({ id: role.id })).permissions).toEqual(
      [approve.key, "members:read"].sort(),
    );
  });

  it("grant custom permissions through role bindings and groups, after the membership precheck", async () => {
    const { tenant, memberId, ownerId } = await tenantWithMember();
    const approve = await definePermission();
    const role = await h.api.roles.create({
      key: `approver-${unique()}`,
      name: "Approver",
      permissions: [approve.key],
    });
    const check = (userId: string) => checkOne({ tenantId: tenant.id, userId, permission: approve.key });

    // The owner role holds every built-in permission, not the host's own.
    expect(await check(ownerId)).toEqual({ allowed: false, reason: "no_role_grants_it" });
    expect(await check(memberId)).toEqual({ allowed: false, reason: "no_role_grants_it" });

    const binding = await h.api.roles.bind({
      tenantId: tenant.id,
      roleId: role.id,
      subject: { type: "user", id: memberId },
    });
    expect(await check(memberId)).toEqual({ allowed: true, reason: `granted_by_role:${role.key}` });

    await h.api.members.patch({ tenantId: tenant.id, userId: memberId, status: "suspended" });
    expect(await check(memberId)).toEqual({ allowed: false, reason: "membership_suspended" });
    await h.api.members.patch({ tenantId: tenant.id, userId: memberId, status: "active" });

    await h.api.roles.unbind({ tenantId: tenant.id, id: binding.id });
    expect((await check(memberId)).allowed).toBe(false);

    const group = await h.api.roles.createGroup({ tenantId: tenant.id, name: "Approvers" });
    await h.api.roles.bind({
      tenantId: tenant.id,
      roleId: role.id,
      subject: { type: "group", id: group.id },
    });
    expect((await check(memberId)).allowed).toBe(false);
    await h.api.roles.addGroupMember({ tenantId: tenant.id, groupId: group.id, userId: memberId });
    expect(await check(memberId)).toEqual({ allowed: true, reason: `granted_by_role:${role.key}` });

    // Another tenant: the binding here grants nothing there.
    const other = await tenantWithMember();
    expect(await checkOne({ tenantId: other.tenant.id, userId: memberId, permission: approve.key })).toEqual({
      allowed: false,
      reason: "not_a_member",
    });
    // A well-formed key the workspace never defined.
    expect(
      await failure(h.api.roles.check({ tenantId: tenant.id, userId: memberId, permission: "nope:never" })),
    ).toMatchObject({ status: 400, code: "unknown_permission" });
  });

  it("deleting a permission removes it from every role holding it, and it grants nothing after", async () => {
    const { tenant, memberId } = await tenantWithMember();
    const approve = await definePermission();
    const roleA = await h.api.roles.create({
      key: `a-${unique()}`,
      name: "A",
      permissions: [approve.key, "usage:read"],
    });
    const roleB = await h.api.roles.create({ key: `b-${unique()}`, name: "B", permissions: [approve.key] });
    await h.api.roles.bind({
      tenantId: tenant.id,
      roleId: roleA.id,
      subject: { type: "user", id: memberId },
    });
    expect((await checkOne({ tenantId: tenant.id, userId: memberId, permission: approve.key })).allowed).toBe(
      true,
    );

    await h.api.permissions.delete({ id: approve.id });
    expect((await h.api.roles.get({ id: roleA.id })).permissions).toEqual(["usage:read"]);
    expect((await h.api.roles.get({ id: roleB.id })).permissions).toEqual([]);
    expect(
      await failure(h.api.roles.check({ tenantId: tenant.id, userId: memberId, permission: approve.key })),
    ).toMatchObject({ status: 400, code: "unknown_permission" });
    const [deleted] = (await workspaceActivity(approve.id)).filter((e) => e.action === "permission.deleted");
    expect(deleted!.changes).toEqual({
      before: { key: approve.key, name: approve.name, roles: [roleA.key, roleB.key].sort() },
    });

    // The same key defined again starts from no role.
    const again = await h.api.permissions.create({ key: approve.key, name: "Again" });
    expect(again.id).not.toBe(approve.id);
    expect((await checkOne({ tenantId: tenant.id, userId: memberId, permission: approve.key })).allowed).toBe(
      false,
    );
  });

  it("never leaves a role holding a deleted key when a role update races the delete", async () => {
    for (let round = 0; round < 8; round++) {
      const approve = await definePermission();
      const role = await h.api.roles.create({
        key: `race-${unique()}`,
        name: "Race",
        permissions: ["usage:read"],
      });
      const [update, removal] = await Promise.allSettled([
        h.api.roles.update({ id: role.id, permissions: ["usage:read", approve.key] }),
        h.api.permissions.delete({ id: approve.id }),
      ]);
      expect(removal.status).toBe("fulfilled");
      if (update.status === "rejected") {
        expect(await failure(Promise.reject(update.reason))).toMatchObject({
          status: 400,
          code: "unknown_permission",
        });
      }
      // Whichever went first, the role does not hold a key that no longer exists.
      const [row] = await h.handle.db
        .select({ permissions: roles.permissions })
        .from(roles)
        .where(and(eq(roles.workspaceId, h.workspaceId), eq(roles.id, role.id)));
      expect(row!.permissions).toEqual(["usage:read"]);
      const left = await h.handle.db
        .select({ id: permissions.id })
        .from(permissions)
        .where(and(eq(permissions.workspaceId, h.workspaceId), inArray(permissions.id, [approve.id])));
      expect(left).toEqual([]);
    }
  });
});

describe("authz.check in batches", () => {
  it("answers every user × permission in order, with the single form's reasons", async () => {
    const { tenant, ownerId, memberId } = await tenantWithMember();
    const approve = await definePermission();
    const role = await h.api.roles.create({
      key: `batch-${unique()}`,
      name: "Batch",
      permissions: [approve.key],
    });
    await h.api.roles.bind({ tenantId: tenant.id, roleId: role.id, subject: { type: "user", id: memberId } });
    const outsider = await tenantWithMember();
    const suspended = await h.api.members.create({
      tenantId: tenant.id,
      email: `suspended-${unique()}@example.com`,
      status: "active",
      roles: ["admin"],
    });
    await h.api.members.patch({ tenantId: tenant.id, userId: suspended.userId, status: "suspended" });

    const userIds = [ownerId, memberId, outsider.memberId, suspended.userId];
    const keys = ["tenant:write", approve.key];
    const answer = await h.api.roles.check({ tenantId: tenant.id, userIds, permissions: keys });
    expect(answer).toEqual({
      results: [
        { userId: ownerId, permission: "tenant:write", allowed: true, reason: "granted_by_role:owner" },
        { userId: ownerId, permission: approve.key, allowed: false, reason: "no_role_grants_it" },
        { userId: memberId, permission: "tenant:write", allowed: false, reason: "no_role_grants_it" },
        { userId: memberId, permission: approve.key, allowed: true, reason: `granted_by_role:${role.key}` },
        { userId: outsider.memberId, permission: "tenant:write", allowed: false, reason: "not_a_member" },
        { userId: outsider.memberId, permission: approve.key, allowed: false, reason: "not_a_member" },
        {
          userId: suspended.userId,
          permission: "tenant:write",
          allowed: false,
          reason: "membership_suspended",
        },
        { userId: suspended.userId, permission: approve.key, allowed: false, reason: "membership_suspended" },
      ],
    });
    // Each pair answers as the single form does.
    if (!("results" in answer)) throw new Error("expected a batch");
    for (const result of answer.results) {
      expect(
        await checkOne({ tenantId: tenant.id, userId: result.userId, permission: result.permission }),
      ).toEqual({
        allowed: result.allowed,
        reason: result.reason,
      });
    }
    // One user, many permissions (a page deciding its buttons), and many users, one permission.
    expect(
      await h.api.roles.check({
        tenantId: tenant.id,
        userId: memberId,
        permissions: ["members:read", approve.key],
      }),
    ).toEqual({
      results: [
        { userId: memberId, permission: "members:read", allowed: false, reason: "no_role_grants_it" },
        { userId: memberId, permission: approve.key, allowed: true, reason: `granted_by_role:${role.key}` },
      ],
    });
    expect(
      await h.api.roles.check({
        tenantId: tenant.id,
        userIds: [ownerId, memberId],
        permission: "members:read",
      }),
    ).toMatchObject({
      results: [
        { userId: ownerId, allowed: true },
        { userId: memberId, allowed: false },
      ],
    });
  });

  it("takes the same number of queries for 1 pair as for 20 users × 10 permissions", async () => {
    const { tenant, ownerId } = await tenantWithMember();
    const keys = await Promise.all(Array.from({ length: 5 }, () => definePermission()));
    const users = [ownerId];
    for (let i = 0; i < 19; i++) {
      const member = await h.api.members.create({
        tenantId: tenant.id,
        email: `many-${i}-${unique()}@example.com`,
        status: "active",
      });
      users.push(member.userId);
    }
    const permissionsToAsk = [
      ...keys.map((k) => k.key),
      "members:read",
      "tenant:write",
      "usage:read",
      "roles:write",
      "fields:read",
    ];
    // Counts every statement drizzle sends (prepared ones are built once, so nothing is hidden by them).
    const session = (h.handle.db as unknown as { session: { prepareQuery: (...args: unknown[]) => unknown } })
      .session;
    const queriesDuring = async (run: () => Promise<unknown>) => {
      const original = session.prepareQuery;
      let count = 0;
      session.prepareQuery = function (this: unknown, ...args: unknown[]) {
        count++;
        return original.apply(this, args);
      };
      try {
        await run();
      } finally {
        session.prepareQuery = original;
      }
      return count;
    };
    // Once first, so both measured calls find the caller's key and the custom keys in this process's
    // cache alike (see invalidation/); what is compared is what the pairs cost.
    await h.api.roles.check({ tenantId: tenant.id, userIds: [ownerId], permissions: [keys[0]!.key] });
    const small = await queriesDuring(() =>
      h.api.roles.check({ tenantId: tenant.id, userIds: [ownerId], permissions: [keys[0]!.key] }),
    );
    let answered = 0;
    const large = await queriesDuring(async () => {
      const answer = await h.api.roles.check({
        tenantId: tenant.id,
        userIds: users,
        permissions: permissionsToAsk,
      });
      answered = "results" in answer ? answer.results.length : 0;
    });
    expect(answered).toBe(200);
    expect(small).toBeGreaterThan(0);
    expect(large).toBe(small);
  });

  it("refuses bad batches with clear 4xx", async () => {
    const { tenant, memberId } = await tenantWithMember();
    const user = (i: number) => `user_01900000-0000-7000-8000-${String(i).padStart(12, "0")}`;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ tenantId: tenant.id, userId: memberId }, 400, "invalid_input"],
      [{ tenantId: tenant.id, permission: "members:read" }, 400, "invalid_input"],
      [
        { tenantId: tenant.id, userId: memberId, userIds: [memberId], permission: "members:read" },
        400,
        "invalid_input",
      ],
      [
        { tenantId: tenant.id, userId: memberId, permission: "members:read", permissions: ["members:read"] },
        400,
        "invalid_input",
      ],
      [{ tenantId: tenant.id, userIds: [], permission: "members:read" }, 400, "invalid_input"],
      [
        {
          tenantId: tenant.id,
          userIds: Array.from({ length: 101 }, (_, i) => user(i)),
          permission: "members:read",
        },
        400,
        "invalid_input",
      ],
      [
        {
          tenantId: tenant.id,
          userId: memberId,
          permissions: Array.from({ length: 51 }, () => "members:read"),
        },
        400,
        "invalid_input",
      ],
      [
        { tenantId: tenant.id, userId: memberId, permissions: ["members:read", "ghost:walk"] },
        400,
        "unknown_permission",
      ],
      [{ tenantId: tenant.id, userIds: [memberId, user(7)], permission: "members:read" }, 404, "not_found"],
      [
        {
          tenantId: "tenant_01900000-0000-7000-8000-000000000000",
          userIds: [memberId],
          permission: "members:read",
        },
        404,
        "not_found",
      ],
    ];
    for (const [input, status, code] of cases) {
      expect(await failure(h.api.roles.check(input as never)), JSON.stringify(input)).toMatchObject({
        status,
        code,
      });
    }
    // A full batch of 100 users × 50 permissions is fine.
    const all = await h.api.roles.check({
      tenantId: tenant.id,
      userIds: [memberId],
      permissions: Array.from({ length: 50 }, () => "members:read"),
    });
    expect("results" in all && all.results).toHaveLength(1);
  });
});

describe("tokens and custom permissions", () => {
  it("lists a member's custom permissions in /me; a scope-only token keeps only keys the workspace defines", async () => {
    const { tenant, memberId, externalId } = await tenantWithMember();
    const approve = await definePermission();
    const role = await h.api.roles.create({
      key: `me-${unique()}`,
      name: "Me",
      permissions: ["members:read", approve.key],
    });
    await h.api.roles.bind({ tenantId: tenant.id, roleId: role.id, subject: { type: "user", id: memberId } });
    const sub = tenant.internalId;

    const member = h.callerWith({
      authorization: `Bearer ${await token({ sub, user: { id: externalId } })}`,
    });
    const me = await member.accessTokens.me();
    expect(me.permissions).toEqual(expect.arrayContaining(["members:read", approve.key]));

    const ghost = `ghost-${unique()}:walk`;
    const scoped = h.callerWith({
      authorization: `Bearer ${await token({ sub, scope: `members:read ${approve.key} ${ghost} made:up:thing` })}`,
    });
    expect((await scoped.accessTokens.me()).permissions.sort()).toEqual([approve.key, "members:read"].sort());
  });
});
