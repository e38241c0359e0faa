import { activityLog } from "@tenantry/db/schema/activity";
import { events } from "@tenantry/db/schema/events";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";
import { EVENT_TYPE_OF_ACTION } from "./event-types";
import { deleteExpiredEvents } from "./service";

const clock = testClock("2026-03-01T00:00:00.000Z");
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ clock });
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

async function eventsOf(tenantId: string) {
  const page = await h.api.events.list({ tenantId, limit: 100 });
  return page.items;
}

describe("events", () => {
  it("announce each announced change once, in order, redacted like the activity log", async () => {
    const tenant = await h.api.tenants.create({ name: `Events Co ${unique()}` });
    await h.api.tenants.patch({ id: tenant.id, planKey: "pro" });
    await h.api.tenants.patch({ id: tenant.id, credentials: { apiToken: "very-secret-value" } });
    await h.api.fields.patchForTenant({ tenantId: tenant.id, fields: { region: "eu" } });
    const invited = await h.api.members.create({ tenantId: tenant.id, email: `ev-${unique()}@x.example` });
    await h.api.members.patch({ tenantId: tenant.id, userId: invited.userId, status: "suspended" });
    await h.api.members.delete({ tenantId: tenant.id, userId: invited.userId });
    await h.api.tenants.suspend({ id: tenant.id });

    const announced = await eventsOf(tenant.id);
    expect(announced.map((event) => event.type)).toEqual([
      "tenant.created",
      "tenant.updated",
      "tenant.updated",
      "tenant.fields_updated",
      "role_binding.created", // the invitation's default role, bound before the invitation is logged
      "invitation.created",
      "membership.suspended",
      "membership.deleted",
      "tenant.suspended",
    ]);
    for (const event of announced) {
      expect(event.id).toMatch(/^evt_[0-9a-f-]{36}$/);
      expect(event.tenantId).toBe(tenant.id);
      expect(event.actor.type).toBe("api_key");
      expect(event.createdAt).toBe(clock.now().toISOString());
    }
    expect(JSON.stringify(announced)).not.toContain("very-secret-value");
    // Credentials are never in a tenant's readable form: the event says only that they changed.
    expect(announced[2]?.data).toMatchObject({
      action: "tenant.updated",
      object: { type: "tenant", id: tenant.id },
      before: { hasCredentials: false },
      after: { hasCredentials: true },
    });

    // Exactly the log's announced entries: one event for each, none for anything else.
    const log = await h.handle.db.select().from(activityLog).where(eq(activityLog.tenantId, tenant.id));
    const expected = log.filter((entry) => entry.action in EVENT_TYPE_OF_ACTION).length;
    expect(announced).toHaveLength(expected);
  });

  it("are not written when the change is refused or rolled back", async () => {
    const tenant = await h.api.tenants.create({ name: `Stale Co ${unique()}` });
    const refused = await failure(h.api.tenants.patch({ id: tenant.id, name: "New", expectedVersion: 99 }));
    expect(refused.status).toBe(409);
    await h.api.tenants.patch({ id: tenant.id, name: tenant.name }); // changes nothing, announces nothing
    expect((await eventsOf(tenant.id)).map((event) => event.type)).toEqual(["tenant.created"]);
  });

  it("announce the 80 % mark and the limit once each as usage climbs past them", async () => {
    const tenant = await h.api.tenants.create({
      name: `Usage Co ${unique()}`,
      aiCreditsRolling30DayLimit: 100,
    });
    for (const amount of [50, 30, 5, 15]) {
      await h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount });
    }
    await failure(h.api.usage.record({ tenantId: tenant.id, metric: "ai_credits", amount: 1 }));
    const usage = (await eventsOf(tenant.id)).filter((event) => event.type.startsWith("usage."));
    expect(usage.map((event) => [event.type, event.data.after])).toEqual([
      ["usage.threshold_reached", { metric: "ai_credits", used: 80, limit: 100 }],
      ["usage.limit_reached", { metric: "ai_credits", used: 100, limit: 100 }],
    ]);
  });

  it("page in order after a given event, filtered by type and tenant", async () => {
    const tenants: { id: string }[] = [];
    for (let i = 0; i < 5; i++) tenants.push(await h.api.tenants.create({ name: `Page Co ${unique()}` }));
    const all = await h.api.events.list({ types: ["tenant.created"], limit: 100 });
    const ours = all.items.filter((event) => tenants.some((t) => t.id === event.tenantId));
    expect(ours.map((event) => event.tenantId)).toEqual(tenants.map((t) => t.id));

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await h.api.events.list({
        types: "tenant.created",
        limit: 2,
        ...(after ? { after } : {}),
      });
      seen.push(...page.items.map((event) => event.id));
      if (!page.hasMore) break;
      after = page.items.at(-1)!.id;
    }
    expect(seen).toEqual(all.items.map((event) => event.id));
    expect([...seen].sort()).toEqual(seen);

    const oneTenant = await h.api.events.list({ tenantId: tenants[2]!.id });
    expect(oneTenant.items.map((event) => event.tenantId)).toEqual([tenants[2]!.id]);
  });

  it("refuse unknown types and malformed cursors with 400", async () => {
    for (const input of [
      { types: "tenant.created,tenant.exploded" },
      { types: [] },
      { after: "not-an-event" },
      { limit: 0 },
    ]) {
      const refused = await failure(h.api.events.list(input as never));
      expect(refused.status, JSON.stringify(input)).toBe(400);
    }
  });

  it("are kept for the retention and removed after it", async () => {
    const tenant = await h.api.tenants.create({ name: `Old Co ${unique()}` });
    const before = await h.handle.db.select().from(events).where(eq(events.tenantId, tenant.id));
    expect(before).toHaveLength(1);
    clock.advance(29 * 86_400_000);
    await deleteExpiredEvents(h.handle.db, clock, 30);
    expect(await eventsOf(tenant.id)).toHaveLength(1);
    clock.advance(2 * 86_400_000);
    expect(await deleteExpiredEvents(h.handle.db, clock, 30)).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(tenant.id)).toHaveLength(0);
  });
});
