import { activityLog } from "@tenantry/db/schema/activity";
import { events } from "@tenantry/db/schema/events";
import { webhookEndpoints } from "@tenantry/db/schema/webhooks";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";
import { signingSecrets } from "./endpoints";

const clock = testClock("2026-04-01T00:00:00.000Z");
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ clock, webhookAllowHosts: ["127.0.0.1:8999"] });
});
afterAll(() => h.close());

async function storedRow(id: string) {
  const [row] = await h.handle.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row!;
}

describe("webhook endpoints", () => {
  it("are created with a Standard Webhooks secret shown once and stored sealed", async () => {
    const { endpoint, secret } = await h.api.webhookEndpoints.create({
      url: "https://hooks.example.com/tenantry",
      types: ["tenant.created", "tenant.deleted"],
      description: "CRM sync",
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(atob(secret.slice("whsec_".length)).length).toBeGreaterThanOrEqual(24);
    expect(endpoint).toMatchObject({
      url: "https://hooks.example.com/tenantry",
      types: ["tenant.created", "tenant.deleted"],
      description: "CRM sync",
      status: "enabled",
      disabledReason: null,
    });
    expect(endpoint.id).toMatch(/^whep_/);
    const row = await storedRow(endpoint.id);
    expect(row.secretSealed).not.toContain(secret.slice(6));
    expect(await signingSecrets(h.keyring, row, clock.now())).toEqual([secret]);

    const read = await h.api.webhookEndpoints.get({ id: endpoint.id });
    const listed = await h.api.webhookEndpoints.list();
    const log = await h.handle.db.select().from(activityLog).where(eq(activityLog.targetId, endpoint.id));
    for (const seen of [read, listed, log]) expect(JSON.stringify(seen)).not.toContain(secret.slice(6));
    expect(listed.items.map((item) => item.id)).toContain(endpoint.id);
  });

  it("refuse URLs Tenantry must not call with 400 invalid_webhook_url, saving nothing", async () => {
    const before = (await h.api.webhookEndpoints.list()).items.length;
    for (const url of [
      "http://hooks.example.com/plain-http",
      "https://127.0.0.1/hook",
      "https://127.0.0.1:8443/hook", // the allow-list names 127.0.0.1:8999 only
      "https://10.1.2.3/hook",
      "https://192.168.0.10/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://[::1]/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://localhost/hook",
      "https://api.localhost/hook",
      "file:///etc/passwd",
      "ftp://hooks.example.com/x",
      "https://user:password@hooks.example.com/hook",
      `https://hooks.example.com/${"a".repeat(3000)}`,
      "not a url",
    ]) {
      const refused = await failure(h.api.webhookEndpoints.create({ url }));
      expect(refused.status, url).toBe(400);
      expect(refused.code, url).toBe("invalid_webhook_url");
    }
    expect((await h.api.webhookEndpoints.list()).items).toHaveLength(before);
  });

  it("accept http and loopback for hosts in TENANTRY_WEBHOOK_ALLOW_HOSTS", async () => {
    const { endpoint } = await h.api.webhookEndpoints.create({ url: "http://127.0.0.1:8999/hook" });
    expect(endpoint.url).toBe("http://127.0.0.1:8999/hook");
  });

  it("change, disable (announced), enable and delete", async () => {
    const { endpoint } = await h.api.webhookEndpoints.create({ url: "https://hooks.example.com/a" });
    const updated = await h.api.webhookEndpoints.update({
      id: endpoint.id,
      url: "https://hooks.example.com/b",
      types: null,
      description: "all events",
    });
    expect(updated).toMatchObject({
      url: "https://hooks.example.com/b",
      types: null,
      description: "all events",
    });
    expect(
      (await failure(h.api.webhookEndpoints.update({ id: endpoint.id, url: "https://10.0.0.1/" }))).code,
    ).toBe("invalid_webhook_url");
    expect((await h.api.webhookEndpoints.get({ id: endpoint.id })).url).toBe("https://hooks.example.com/b");

    const disabled = await h.api.webhookEndpoints.disable({ id: endpoint.id });
    expect(disabled).toMatchObject({ status: "disabled", disabledReason: "manual" });
    const announced = await h.handle.db
      .select()
      .from(events)
      .where(eq(events.type, "webhook_endpoint.disabled"));
    expect(announced.map((event) => (event.data as { object: { id: string } }).object.id)).toEqual([
      endpoint.id,
    ]);
    expect(announced[0]?.tenantId).toBeNull();

    expect(await h.api.webhookEndpoints.enable({ id: endpoint.id })).toMatchObject({
      status: "enabled",
      disabledReason: null,
    });
    await h.api.webhookEndpoints.delete({ id: endpoint.id });
    expect((await failure(h.api.webhookEndpoints.get({ id: endpoint.id }))).status).toBe(404);
    expect((await failure(h.api.webhookEndpoints.delete({ id: endpoint.id }))).status).toBe(404);
  });

  it("rotate the secret: the old one keeps signing alongside the new for 24 hours", async () => {
    const { endpoint, secret: first } = await h.api.webhookEndpoints.create({
      url: "https://hooks.example.com/r",
    });
    const rotated = await h.api.webhookEndpoints.rotateSecret({ id: endpoint.id });
    expect(rotated.secret).not.toBe(first);
    expect(rotated.endpoint.previousSecretExpiresAt).toBe(
      new Date(clock.now().getTime() + 86_400_000).toISOString(),
    );
    const row = await storedRow(endpoint.id);
    expect(await signingSecrets(h.keyring, row, clock.now())).toEqual([rotated.secret, first]);
    clock.advance(86_400_000);
    expect(await signingSecrets(h.keyring, row, clock.now())).toEqual([rotated.secret]);
  });
});
