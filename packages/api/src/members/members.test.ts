import { invitations, memberships } from "@tenantry/db/schema/members";
import { and, count, eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";

let h: Harness;
let key: { id: string; secret: Uint8Array };

beforeAll(async () => {
  h = await createHarness();
  const created = await h.api.signingKeys.create({ algorithm: "HS256" });
  key = { id: created.id, secret: new TextEncoder().encode(created.secret!) };
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

async function tenantWithOwner(extra: { maxUsers?: number } = {}) {
  const id = unique();
  const tenant = await h.api.tenants.create({
    name: `Members ${id}`,
    internalId: `members-${id}`,
    owner: {
      email: `owner-${id}@example.com`,
      firstName: "Olga",
      lastName: "Owner",
      externalId: `host-owner-${id}`,
    },
    ...extra,
  });
  return { tenant, ownerId: tenant.ownerUserId!, id };
}

async function membershipCount(tenantId: string): Promise<number> {
  const [row] = await h.handle.db
    .select({ n: count() })
    .from(memberships)
    .where(eq(memberships.tenantId, tenantId));
  return row!.n;
}

function tokenFor(internalId: string, user: { id: string; email?: string }) {
  return new SignJWT({ user })
    .setProtectedHeader({ alg: "HS256", kid: key.id })
    .setSubject(internalId)
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(key.secret);
}

const asToken = (token: string) => h.callerWith({ authorization: `Bearer ${token}` });

describe("memberships", () => {
  it("makes a tenant created with an owner have that user as its active owner, with the owner role", async () => {
    const { tenant, ownerId, id } = await tenantWithOwner();
    const owner = await h.api.members.get({ tenantId: tenant.id, userId: ownerId });
    expect(owner).toMatchObject({
      status: "active",
      type: "owner",
      source: "api",
      roles: ["owner"],
      joinedAt: expect.any(String),
      user: { email: `owner-${id}@example.com`, externalId: `host-owner-${id}` },
    });
  });

  it("invites by email with a single-use token, lists with filters and search, and keeps the user on delete", async () => {
    const { tenant } = await tenantWithOwner();
    const invited = await h.api.members.create({
      tenantId: tenant.id,
      email: "  Ada.Lovelace@Example.COM ",
      firstName: "Ada",
      lastName: "Lovelace",
      type: "admin",
    });
    expect(invited).toMatchObject({
      status: "invited",
      type: "admin",
      source: "invite",
      joinedAt: null,
      roles: ["member"],
      user: { email: "Ada.Lovelace@Example.COM" },
      invitation: { token: expect.stringMatching(/^tnt_inv_/), expiresAt: expect.any(String) },
    });
    // Only the token's hash is kept.
    const [stored] = await h.handle.db
      .select({ tokenHash: invitations.tokenHash })
      .from(invitations)
      .where(eq(invitations.id, invited.invitation!.id));
    expect(stored!.tokenHash).not.toContain(invited.invitation!.token!.slice(8));

    await h.api.members.create({
      tenantId: tenant.id,
      email: "grace@example.com",
      firstName: "Grace",
      status: "active",
    });

    const invitedOnly = await h.api.members.list({ tenantId: tenant.id, status: "invited" });
    expect(invitedOnly.items.map((m) => m.user.firstName)).toEqual(["Ada"]);
    const admins = await h.api.members.list({ tenantId: tenant.id, type: "admin" });
    expect(admins.items).toHaveLength(1);
    const search = await h.api.members.list({ tenantId: tenant.id, q: "ada love" });
    expect(search.items.map((m) => m.userId)).toEqual([invited.userId]);
    const first = await h.api.members.list({ tenantId: tenant.id, limit: 2 });
    const second = await h.api.members.list({ tenantId: tenant.id, limit: 2, cursor: first.nextCursor! });
    expect(first.items).toHaveLength(2);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();

    await h.api.members.delete({ tenantId: tenant.id, userId: invited.userId });
    expect(await failure(h.api.members.get({ tenantId: tenant.id, userId: invited.userId }))).toMatchObject({
      status: 404,
    });
    expect(await h.api.members.getUser({ id: invited.userId })).toMatchObject({
      email: "Ada.Lovelace@Example.COM",
    });
  });

  it("treats emails that differ in case, width or surrounding space as one user, and refuses look-alikes", async () => {
    const { tenant } = await tenantWithOwner();
    const first = await h.api.members.create({ tenantId: tenant.id, email: "linus@example.com" });
    for (const email of ["LINUS@example.com", " linus@example.com", "ｌｉｎｕｓ@example.com"]) {
      expect(await failure(h.api.members.create({ tenantId: tenant.id, email }))).toMatchObject({
        status: 409,
        code: "membership_exists",
      });
    }
    // The same person in another tenant is the same user.
    const other = await tenantWithOwner();
    const again = await h.api.members.create({ tenantId: other.tenant.id, email: "Linus@Example.com" });
    expect(again.userId).toBe(first.userId);

    const before = await membershipCount(tenant.id);
    for (const email of [
      "lіnus@example.com" /* Cyrillic і */,
      "li nus@example.com",
      "linus@exam\u0000ple.com",
      "not-an-email",
    ]) {
      expect(await failure(h.api.members.create({ tenantId: tenant.id, email }))).toMatchObject({
        status: 400,
        code: "invalid_input",
      });
    }
    expect(await membershipCount(tenant.id)).toBe(before);
  });

  it("refuses bad input with 4xx and changes nothing", async () => {
    const { tenant, ownerId } = await tenantWithOwner();
    const before = await membershipCount(tenant.id);
    const unknownTenant = "tenant_01900000-0000-7000-8000-000000000000";
    const unknownUser = "user_01900000-0000-7000-8000-000000000000";
    const cases: [() => Promise<unknown>, number][] = [
      [() => h.api.members.create({ tenantId: unknownTenant, email: "x@example.com" }), 404],
      [() => h.api.members.create({ tenantId: tenant.id, userId: unknownUser }), 404],
      [() => h.api.members.create({ tenantId: tenant.id, userId: ownerId }), 409],
      [
        () => h.api.members.create({ tenantId: tenant.id, email: "y@example.com", type: "boss" as never }),
        400,
      ],
      [
        () => h.api.members.create({ tenantId: tenant.id, email: "y@example.com", status: "left" as never }),
        400,
      ],
      [
        () => h.api.members.create({ tenantId: tenant.id, email: "y@example.com", roles: ["no-such-role"] }),
        400,
      ],
      [() => h.api.members.create({ tenantId: tenant.id } as never), 400],
      [
        () => h.api.members.create({ tenantId: tenant.id, email: "z@example.com", userId: ownerId } as never),
        400,
      ],
      [() => h.api.members.patch({ tenantId: tenant.id, userId: unknownUser, status: "suspended" }), 404],
      [() => h.api.members.patch({ tenantId: tenant.id, userId: ownerId, status: "invited" as never }), 400],
      [() => h.api.members.getUser({ id: unknownUser }), 404],
      [() => h.api.members.getUser({ id: "user_123" }), 400],
    ];
    for (const [call, status] of cases) expect((await failure(call())).status).toBe(status);
    expect(await membershipCount(tenant.id)).toBe(before);
  });
});

describe("invitations", () => {
  it("accepts once, turning the membership active; a second accept, a revoked or an expired one fails", async () => {
    const { tenant } = await tenantWithOwner();
    const invited = await h.api.members.create({ tenantId: tenant.id, email: `inv-${unique()}@example.com` });
    const accepted = await h.api.members.acceptInvitation({ token: invited.invitation!.token! });
    expect(accepted).toMatchObject({ status: "active", joinedAt: expect.any(String) });
    expect(
      await failure(h.api.members.acceptInvitation({ token: invited.invitation!.token! })),
    ).toMatchObject({
      status: 409,
      code: "invitation_invalid",
    });

    const resent = await h.api.members.create({ tenantId: tenant.id, email: `re-${unique()}@example.com` });
    const fresh = await h.api.members.resendInvitation({ tenantId: tenant.id, userId: resent.userId });
    expect(fresh.token).not.toBe(resent.invitation!.token);
    expect((await failure(h.api.members.acceptInvitation({ token: resent.invitation!.token! }))).status).toBe(
      409,
    );
    expect((await h.api.members.acceptInvitation({ token: fresh.token! })).status).toBe("active");

    const revoked = await h.api.members.create({ tenantId: tenant.id, email: `rev-${unique()}@example.com` });
    expect(
      await h.api.members.revokeInvitation({ tenantId: tenant.id, userId: revoked.userId }),
    ).toMatchObject({
      status: "left",
    });
    expect(
      (await failure(h.api.members.acceptInvitation({ token: revoked.invitation!.token! }))).status,
    ).toBe(409);

    expect((await failure(h.api.members.acceptInvitation({ token: "tnt_inv_nonsense" }))).status).toBe(404);
  });

  it("takes an invitation until its expiry on the context's clock and refuses it after", async () => {
    const clock = testClock("2026-03-01T12:00:00.000Z");
    const timed = await createHarness({ clock });
    try {
      const tenant = await timed.api.tenants.create({ name: "Clocked", internalId: `clocked-${unique()}` });
      const invite = (email: string) =>
        timed.api.members.create({ tenantId: tenant.id, email, invitationExpiresInDays: 2 });
      const early = await invite(`early-${unique()}@example.com`);
      const late = await invite(`late-${unique()}@example.com`);
      expect(early.invitation!.expiresAt).toBe("2026-03-03T12:00:00.000Z");

      clock.advance(2 * 24 * 60 * 60 * 1000 - 1);
      expect((await timed.api.members.acceptInvitation({ token: early.invitation!.token! })).status).toBe(
        "active",
      );
      clock.advance(1);
      expect(
        await failure(timed.api.members.acceptInvitation({ token: late.invitation!.token! })),
      ).toMatchObject({ status: 409, code: "invitation_invalid", message: "The invitation is expired" });
      expect((await timed.api.members.get({ tenantId: tenant.id, userId: late.userId })).status).toBe(
        "invited",
      );
    } finally {
      await timed.close();
    }
  });

  it("lets exactly one of many concurrent accepts of one invitation win", async () => {
    const { tenant } = await tenantWithOwner();
    const invited = await h.api.members.create({
      tenantId: tenant.id,
      email: `race-${unique()}@example.com`,
    });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => h.api.members.acceptInvitation({ token: invited.invitation!.token! })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});

describe("owners", () => {
  /** The tenant's owners: active members holding the owner role (the `type` label does not count). */
  async function ownersOf(tenantId: string): Promise<string[]> {
    const active = await h.api.members.list({ tenantId, status: "active", limit: 100 });
    return active.items.filter((m) => m.roles.includes("owner")).map((m) => m.userId);
  }

  async function ownerBindingOf(tenantId: string, userId: string): Promise<string> {
    const bindings = await h.api.roles.listBindings({ tenantId, subjectType: "user", subjectId: userId });
    return bindings.items.find((b) => b.roleKey === "owner")!.id;
  }

  it("never lets a tenant lose its last active owner: removing, suspending and unbinding fail with 409", async () => {
    const { tenant, ownerId } = await tenantWithOwner();
    const binding = await ownerBindingOf(tenant.id, ownerId);
    const attempts = [
      () => h.api.members.delete({ tenantId: tenant.id, userId: ownerId }),
      () => h.api.members.patch({ tenantId: tenant.id, userId: ownerId, status: "suspended" }),
      () => h.api.members.patch({ tenantId: tenant.id, userId: ownerId, status: "left" }),
      () => h.api.roles.unbind({ tenantId: tenant.id, id: binding }),
    ];
    for (const attempt of attempts) {
      expect(await failure(attempt())).toMatchObject({ status: 409, code: "last_owner" });
    }
    // The type is a label: relabelling the owner changes nothing about who owns the tenant.
    await h.api.members.patch({ tenantId: tenant.id, userId: ownerId, type: "admin" });
    expect(await ownersOf(tenant.id)).toEqual([ownerId]);
    expect(await failure(h.api.members.delete({ tenantId: tenant.id, userId: ownerId }))).toMatchObject({
      status: 409,
      code: "last_owner",
    });
    expect(await h.api.members.get({ tenantId: tenant.id, userId: ownerId })).toMatchObject({
      status: "active",
      roles: expect.arrayContaining(["owner"]),
    });
  });

  it("lets only one of two owners removing each other at the same moment win", async () => {
    for (let round = 0; round < 5; round++) {
      const { tenant, ownerId } = await tenantWithOwner();
      const second = await h.api.members.create({
        tenantId: tenant.id,
        email: `co-owner-${unique()}@example.com`,
        type: "owner",
        status: "active",
      });
      const [firstBinding, secondBinding] = await Promise.all([
        ownerBindingOf(tenant.id, ownerId),
        ownerBindingOf(tenant.id, second.userId),
      ]);
      const results = await Promise.allSettled([
        h.api.members.patch({ tenantId: tenant.id, userId: ownerId, status: "suspended" }),
        h.api.members.delete({ tenantId: tenant.id, userId: second.userId }),
        h.api.roles.unbind({ tenantId: tenant.id, id: secondBinding }),
        h.api.roles.unbind({ tenantId: tenant.id, id: firstBinding }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThanOrEqual(1);
      expect(await ownersOf(tenant.id)).toHaveLength(1);
    }
  });

  it("transfers ownership atomically: the new owner gets the owner role, the old one becomes an admin", async () => {
    const { tenant, ownerId } = await tenantWithOwner();
    const next = await h.api.members.create({
      tenantId: tenant.id,
      email: `next-${unique()}@example.com`,
      status: "active",
    });
    const pending = await h.api.members.create({
      tenantId: tenant.id,
      email: `pending-${unique()}@example.com`,
    });
    expect(
      await failure(h.api.members.transferOwnership({ tenantId: tenant.id, toUserId: pending.userId })),
    ).toMatchObject({
      status: 409,
      code: "member_inactive",
    });
    const moved = await h.api.members.transferOwnership({ tenantId: tenant.id, toUserId: next.userId });
    expect(moved).toMatchObject({ type: "owner", roles: expect.arrayContaining(["owner"]) });
    expect(await h.api.members.get({ tenantId: tenant.id, userId: ownerId })).toMatchObject({
      type: "admin",
      roles: expect.not.arrayContaining(["owner"]),
    });
    expect((await h.api.tenants.get({ id: tenant.id })).ownerUserId).toBe(next.userId);
    const log = await h.api.activity.listForTenant({
      tenantId: tenant.id,
      action: "tenant.ownership_transferred",
    });
    expect(log.items).toHaveLength(1);
  });
});

describe("maxUsers", () => {
  it("caps active and invited members, also when invites race", async () => {
    const { tenant } = await tenantWithOwner({ maxUsers: 4 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        h.api.members.create({ tenantId: tenant.id, email: `seat-${i}-${unique()}@example.com` }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(await failure(Promise.reject(refused.reason))).toMatchObject({
      status: 409,
      code: "seat_limit_reached",
    });
    expect(await membershipCount(tenant.id)).toBe(4);

    // A suspended member frees a seat; reactivating needs one again.
    const someone = (await h.api.members.list({ tenantId: tenant.id, status: "invited" })).items[0]!;
    await h.api.members.acceptInvitation({
      token: (await h.api.members.resendInvitation({ tenantId: tenant.id, userId: someone.userId })).token!,
    });
    await h.api.members.patch({ tenantId: tenant.id, userId: someone.userId, status: "suspended" });
    await h.api.members.create({ tenantId: tenant.id, email: `late-${unique()}@example.com` });
    expect(
      await failure(h.api.members.patch({ tenantId: tenant.id, userId: someone.userId, status: "active" })),
    ).toMatchObject({ status: 409, code: "seat_limit_reached" });
  });
});

describe("member tokens", () => {
  it("act with the member's roles; suspension stops them on the next request and reactivation restores them", async () => {
    const { tenant, id } = await tenantWithOwner();
    const member = await h.api.members.create({
      tenantId: tenant.id,
      email: `worker-${id}@example.com`,
      externalId: `host-worker-${id}`,
      status: "active",
    });
    const token = await tokenFor(`members-${id}`, { id: `host-worker-${id}` });
    const me = await asToken(token).accessTokens.me();
    expect(me.member).toMatchObject({ userId: member.userId, status: "active" });
    expect(me.permissions).toContain("members:read");
    expect(me.permissions).not.toContain("members:write");
    expect((await asToken(token).members.list({ tenantId: tenant.id })).items.length).toBe(2);
    expect(
      await failure(asToken(token).members.create({ tenantId: tenant.id, email: "x@example.com" })),
    ).toMatchObject({
      status: 403,
    });

    await h.api.members.patch({ tenantId: tenant.id, userId: member.userId, status: "suspended" });
    expect(await failure(asToken(token).accessTokens.me())).toMatchObject({
      status: 403,
      code: "member_inactive",
    });
    expect(await h.api.accessTokens.introspect({ token })).toEqual({ active: false });

    await h.api.members.patch({ tenantId: tenant.id, userId: member.userId, status: "active" });
    expect((await asToken(token).accessTokens.me()).member?.status).toBe("active");
    expect(await h.api.accessTokens.introspect({ token })).toMatchObject({
      active: true,
      userId: member.userId,
    });

    const stranger = await tokenFor(`members-${id}`, { id: `nobody-${id}` });
    expect(await failure(asToken(stranger).accessTokens.me())).toMatchObject({
      status: 403,
      code: "not_a_member",
    });
  });

  it("cannot raise their own rights or reach another tenant's members", async () => {
    const { tenant, id } = await tenantWithOwner();
    const admin = await h.api.members.create({
      tenantId: tenant.id,
      email: `admin-${id}@example.com`,
      externalId: `host-admin-${id}`,
      status: "active",
      type: "admin",
      roles: ["admin"],
    });
    const token = asToken(await tokenFor(`members-${id}`, { id: `host-admin-${id}` }));
    const roles = (await token.roles.list()).items;
    const ownerRole = roles.find((r) => r.key === "owner")!;
    const before = await h.api.roles.listBindings({ tenantId: tenant.id });

    // An admin lacks tenant:write, so it cannot grant the owner role — not to itself, not to others.
    expect(
      await failure(
        token.roles.bind({
          tenantId: tenant.id,
          roleId: ownerRole.id,
          subject: { type: "user", id: admin.userId },
        }),
      ),
    ).toMatchObject({ status: 403 });
    expect(
      await failure(token.members.patch({ tenantId: tenant.id, userId: admin.userId, type: "owner" })),
    ).toMatchObject({ status: 403 });
    expect(
      await failure(
        token.members.create({ tenantId: tenant.id, email: `crony-${id}@example.com`, roles: ["owner"] }),
      ),
    ).toMatchObject({ status: 403 });
    expect((await h.api.roles.listBindings({ tenantId: tenant.id })).items).toEqual(before.items);

    const other = await tenantWithOwner();
    expect(await failure(token.members.list({ tenantId: other.tenant.id }))).toMatchObject({ status: 404 });
    expect(
      await failure(token.members.get({ tenantId: other.tenant.id, userId: other.ownerId })),
    ).toMatchObject({
      status: 404,
    });
    expect(
      await failure(
        token.members.patch({ tenantId: other.tenant.id, userId: other.ownerId, status: "suspended" }),
      ),
    ).toMatchObject({ status: 404 });
    // Another tenant's member named in this tenant's path is simply not here.
    expect(
      await failure(token.members.patch({ tenantId: tenant.id, userId: other.ownerId, status: "suspended" })),
    ).toMatchObject({ status: 404 });
    expect((await h.api.members.get({ tenantId: other.tenant.id, userId: other.ownerId })).status).toBe(
      "active",
    );
  });
});

describe("activity", () => {
  it("records every membership change with its actor", async () => {
    const { tenant } = await tenantWithOwner();
    const invited = await h.api.members.create({ tenantId: tenant.id, email: `log-${unique()}@example.com` });
    await h.api.members.acceptInvitation({ token: invited.invitation!.token! });
    await h.api.members.patch({ tenantId: tenant.id, userId: invited.userId, status: "suspended" });
    await h.api.members.patch({ tenantId: tenant.id, userId: invited.userId, status: "active" });
    await h.api.members.patch({ tenantId: tenant.id, userId: invited.userId, type: "contractor" });
    await h.api.members.delete({ tenantId: tenant.id, userId: invited.userId });
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id, limit: 50 });
    const actions = log.items.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "membership.created",
        "role_binding.created",
        "membership.invited",
        "membership.invitation_accepted",
        "membership.suspended",
        "membership.reactivated",
        "membership.type_changed",
        "membership.deleted",
      ]),
    );
    for (const entry of log.items)
      expect(entry.actor).toMatchObject({ type: "api_key", id: expect.any(String) });
    const [bindingsLeft] = await h.handle.db
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenant.id), eq(memberships.userId, invited.userId)));
    expect(bindingsLeft!.n).toBe(0);
  });
});
