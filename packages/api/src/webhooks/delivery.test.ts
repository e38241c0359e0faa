import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TenantryEvent } from "@tenantry/contracts/events";
import { events } from "@tenantry/db/schema/events";
import { webhookMessages } from "@tenantry/db/schema/webhooks";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testClock } from "../shared/clock";
import { createHarness, type Harness } from "../testing/harness";
import { type DeliveryOptions, deliverDueMessages } from "./delivery";

/** A host's receiver on loopback: verifies every signature with the standardwebhooks library. */
interface Received {
  path: string;
  id: string;
  event: TenantryEvent;
}
let receiver: Server;
let receiverUrl: string;
let answer: (req: IncomingMessage) => { status: number; body?: string; headers?: Record<string, string> };
const secrets = new Map<string, string[]>(); // endpoint path → secrets that must verify
const received: Received[] = [];
const unverified: string[] = [];
let inFlight = 0;
let mostInFlightPerKey = 0;
const inFlightPerKey = new Map<string, number>();

const clock = testClock(Date.now());
let h: Harness;
let delivery: DeliveryOptions;

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const payload = Buffer.concat(chunks).toString();
    const reply = answer(req);
    if (reply.status >= 200 && reply.status < 300) {
      const headers = {
        "webhook-id": String(req.headers["webhook-id"]),
        "webhook-timestamp": String(req.headers["webhook-timestamp"]),
        "webhook-signature": String(req.headers["webhook-signature"]),
      };
      for (const secret of secrets.get(req.url ?? "") ?? []) {
        try {
          new Webhook(secret).verify(payload, headers);
        } catch {
          unverified.push(`${req.url} ${secret.slice(0, 12)}`);
        }
      }
      const event = JSON.parse(payload) as TenantryEvent;
      const key = `${req.url}|${event.tenantId}`;
      inFlight++;
      inFlightPerKey.set(key, (inFlightPerKey.get(key) ?? 0) + 1);
      mostInFlightPerKey = Math.max(mostInFlightPerKey, inFlightPerKey.get(key)!);
      await new Promise((resolve) => setImmediate(resolve));
      inFlightPerKey.set(key, inFlightPerKey.get(key)! - 1);
      inFlight--;
      received.push({ path: req.url ?? "", id: headers["webhook-id"], event });
    }
    res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
    res.end(reply.body ?? "ok");
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  h = await createHarness({ clock, webhookAllowHosts: ["127.0.0.1"] });
  delivery = {
    db: h.handle.db,
    keyring: h.keyring,
    clock,
    urlPolicy: { allowHosts: new Set(["127.0.0.1"]) },
  };
});
afterAll(async () => {
  await h.close();
  receiver.close();
});
beforeEach(() => {
  answer = () => ({ status: 200 });
  received.length = 0;
  unverified.length = 0;
});

const unique = () => Math.random().toString(36).slice(2, 10);

async function endpointAt(path: string, types?: TenantryEvent["type"][]) {
  const created = await h.api.webhookEndpoints.create({
    url: `${receiverUrl}${path}`,
    ...(types ? { types } : {}),
  });
  secrets.set(path, [created.secret]);
  return created;
}

/** Runs delivery passes until nothing is due now (retries later are left to the clock). */
async function deliverAll() {
  for (let pass = 0; pass < 200; pass++) if ((await deliverDueMessages(delivery)) === 0) return;
  throw new Error("delivery did not settle");
}

async function pendingOf(endpointId: string) {
  const rows = await h.handle.db
    .select()
    .from(webhookMessages)
    .where(eq(webhookMessages.endpointId, endpointId));
  return rows.filter((row) => row.status === "pending").length;
}

function typesAt(path: string, tenantId: string) {
  return received
    .filter((item) => item.path === path && item.event.tenantId === tenantId)
    .map((item) => item.event.type);
}

describe("webhook delivery", () => {
  it("posts every event of the endpoint's types, signed, once, in order per tenant", async () => {
    const all = await endpointAt(`/all-${unique()}`);
    const created = await endpointAt(`/created-${unique()}`, ["tenant.created"]);
    const tenants: string[] = [];
    for (let i = 0; i < 3; i++) {
      const tenant = await h.api.tenants.create({ name: `Hook Co ${unique()}` });
      await h.api.tenants.patch({ id: tenant.id, planKey: "pro" });
      await h.api.tenants.suspend({ id: tenant.id });
      tenants.push(tenant.id);
    }
    await deliverAll();
    expect(unverified).toEqual([]);
    const allPath = new URL(all.endpoint.url).pathname;
    const createdPath = new URL(created.endpoint.url).pathname;
    for (const tenantId of tenants) {
      expect(typesAt(allPath, tenantId)).toEqual(["tenant.created", "tenant.updated", "tenant.suspended"]);
      expect(typesAt(createdPath, tenantId)).toEqual(["tenant.created"]);
    }
    const stored = await h.handle.db.select().from(events);
    for (const item of received) {
      expect(item.id).toBe(item.event.id); // webhook-id is the event id, the same on every retry
      expect(stored.some((event) => event.id === item.id)).toBe(true);
    }
    expect(new Set(received.map((item) => `${item.path} ${item.id}`)).size).toBe(received.length);
    expect(await pendingOf(all.endpoint.id)).toBe(0);
    expect(await pendingOf(created.endpoint.id)).toBe(0);

    const attempts = await h.api.webhookEndpoints.attempts({ id: all.endpoint.id, limit: 100 });
    expect(attempts.items).toHaveLength(9);
    expect(attempts.items[0]).toMatchObject({ status: 200, error: null, responseExcerpt: "ok" });
  });

  it("retries with backoff while the receiver is down, keeping each tenant's order, then delivers all", async () => {
    const { endpoint } = await endpointAt(`/down-${unique()}`);
    const path = new URL(endpoint.url).pathname;
    let up = false;
    answer = () => (up ? { status: 200 } : { status: 503, body: "maintenance" });
    const tenants: string[] = [];
    for (let i = 0; i < 2; i++) {
      const tenant = await h.api.tenants.create({ name: `Down Co ${unique()}` });
      await h.api.tenants.patch({ id: tenant.id, planKey: "pro" });
      await h.api.tenants.archive({ id: tenant.id });
      tenants.push(tenant.id);
    }
    // Only each tenant's first message is tried while it fails; the rest wait behind it.
    await deliverAll();
    const failed = await h.api.webhookEndpoints.attempts({ id: endpoint.id, limit: 100 });
    expect(failed.items).toHaveLength(2);
    expect(failed.items[0]).toMatchObject({ status: 503, responseExcerpt: "maintenance" });
    await deliverAll(); // nothing is due before the backoff passes
    expect((await h.api.webhookEndpoints.attempts({ id: endpoint.id, limit: 100 })).items).toHaveLength(2);

    for (let hour = 0; hour < 3; hour++) {
      clock.advance(3_600_000);
      await deliverAll();
    }
    up = true;
    clock.advance(6 * 3_600_000);
    await deliverAll();
    for (const tenantId of tenants) {
      expect(typesAt(path, tenantId)).toEqual(["tenant.created", "tenant.updated", "tenant.archived"]);
    }
    expect(unverified).toEqual([]);
    expect(await pendingOf(endpoint.id)).toBe(0);
    expect((await h.api.webhookEndpoints.get({ id: endpoint.id })).status).toBe("enabled");
  });

  it("disables an endpoint that failed for 5 days straight, announcing it; gives messages up after 3", async () => {
    const { endpoint } = await endpointAt(`/broken-${unique()}`);
    answer = (req) => (req.url?.startsWith("/broken-") ? { status: 500, body: "boom" } : { status: 200 });
    const tenant = await h.api.tenants.create({ name: `Broken Co ${unique()}` });
    const startedAt = clock.now().getTime();
    const since = () => clock.now().getTime() - startedAt;
    while (since() < 4.9 * 86_400_000) {
      await deliverAll();
      clock.advance(3 * 3_600_000);
      await h.api.tenants.patch({ id: tenant.id, name: `Broken Co ${unique()}` }); // more to deliver
    }
    expect((await h.api.webhookEndpoints.get({ id: endpoint.id })).status).toBe("enabled");
    const [first] = await h.handle.db
      .select()
      .from(webhookMessages)
      .where(eq(webhookMessages.endpointId, endpoint.id));
    expect(first?.status).toBe("failed"); // older than 3 days: given up, so the next could be tried

    clock.advance(6 * 3_600_000);
    await deliverAll();
    const disabled = await h.api.webhookEndpoints.get({ id: endpoint.id });
    expect(disabled).toMatchObject({ status: "disabled", disabledReason: "failing" });
    const announced = await h.api.events.list({ types: ["webhook_endpoint.disabled"], limit: 100 });
    const ours = announced.items.filter((event) => event.data.object.id === endpoint.id);
    expect(ours).toHaveLength(1);
    expect(ours[0]?.actor).toEqual({ type: "system", id: "webhook_delivery" });

    // A manual retry of a given-up message sends it again once the endpoint is enabled.
    answer = () => ({ status: 200 });
    await h.api.webhookEndpoints.enable({ id: endpoint.id });
    const retried = await h.api.webhookEndpoints.retryMessage({ id: endpoint.id, eventId: first!.eventId });
    expect(retried.status).toBe("pending");
    await deliverAll();
    expect(received.some((item) => item.id === first!.eventId)).toBe(true);
  });

  it("follows no redirect, re-checks the address at delivery, and signs with both secrets after a rotation", async () => {
    const { endpoint } = await endpointAt(`/moved-${unique()}`);
    answer = (req) =>
      req.url?.startsWith("/moved-") ? { status: 302, headers: { location: "/elsewhere" } } : { status: 200 };
    const tenant = await h.api.tenants.create({ name: `Moved Co ${unique()}` });
    await deliverAll();
    const [attempt] = (await h.api.webhookEndpoints.attempts({ id: endpoint.id })).items;
    expect(attempt).toMatchObject({ status: 302, error: "redirects are not followed" });
    expect(received.filter((item) => item.path === "/elsewhere")).toEqual([]);
    await h.api.webhookEndpoints.delete({ id: endpoint.id });

    // Saved while 127.0.0.1 was allowed; a process whose policy no longer allows it sends nothing.
    const strict = { ...delivery, urlPolicy: { allowHosts: new Set<string>() } };
    const locked = await endpointAt(`/strict-${unique()}`);
    await h.api.tenants.patch({ id: tenant.id, planKey: "pro" });
    for (let pass = 0; pass < 5 && (await deliverDueMessages(strict)) > 0; pass++) clock.advance(60_000);
    const [refused] = (await h.api.webhookEndpoints.attempts({ id: locked.endpoint.id })).items;
    expect(refused).toMatchObject({ status: null });
    expect(refused?.error).toContain("TENANTRY_WEBHOOK_ALLOW_HOSTS");
    expect(received.filter((item) => item.path.startsWith("/strict-"))).toEqual([]);
    await h.api.webhookEndpoints.delete({ id: locked.endpoint.id });

    const rotating = await endpointAt(`/rotating-${unique()}`);
    const path = new URL(rotating.endpoint.url).pathname;
    const rotated = await h.api.webhookEndpoints.rotateSecret({ id: rotating.endpoint.id });
    secrets.set(path, [rotating.secret, rotated.secret]); // the receiver checks each one alone
    await h.api.tenants.patch({ id: tenant.id, planKey: "enterprise" });
    await deliverAll();
    expect(received.filter((item) => item.path === path)).toHaveLength(1);
    expect(unverified).toEqual([]);

    const test = await h.api.webhookEndpoints.test({ id: rotating.endpoint.id });
    expect(test).toMatchObject({ ok: true, status: 200, responseExcerpt: "ok" });
    expect(received.at(-1)?.event.type).toBe("webhook_endpoint.test");
  });

  it("never sends one message from two workers at once, nor two of one tenant together", async () => {
    const { endpoint } = await endpointAt(`/shared-${unique()}`);
    const path = new URL(endpoint.url).pathname;
    const tenants: string[] = [];
    for (let i = 0; i < 4; i++) {
      const tenant = await h.api.tenants.create({ name: `Shared Co ${unique()}` });
      for (let j = 0; j < 3; j++) await h.api.tenants.patch({ id: tenant.id, name: `Shared Co ${unique()}` });
      tenants.push(tenant.id);
    }
    mostInFlightPerKey = 0;
    const worker = async () => {
      for (let pass = 0; pass < 100; pass++) if ((await deliverDueMessages(delivery, 3)) === 0) return;
    };
    await Promise.all([worker(), worker(), worker()]);
    await deliverAll();
    expect(mostInFlightPerKey).toBeLessThanOrEqual(1);
    const ours = received.filter((item) => item.path === path);
    expect(new Set(ours.map((item) => item.id)).size).toBe(ours.length);
    expect(ours).toHaveLength(16);
    for (const tenantId of tenants) {
      expect(typesAt(path, tenantId)).toEqual([
        "tenant.created",
        "tenant.updated",
        "tenant.updated",
        "tenant.updated",
      ]);
    }
    expect(inFlight).toBe(0);
  });
});
