import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { body } from "./testing/response-body";
import { startTestServer, type TestServer } from "./testing/test-server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("events and webhook endpoints over REST", () => {
  it("lists events in order, filtered by comma-separated types, and refuses an unknown type", async () => {
    const tenant = await body<{ id: string }>(
      await s.call("POST", "/api/v1/tenants", { name: "REST events" }),
      201,
    );
    await body(await s.call("POST", `/api/v1/tenants/${tenant.id}/suspend`), 200);
    const page = await body<{ items: { type: string; tenantId: string }[]; hasMore: boolean }>(
      await s.call(
        "GET",
        `/api/v1/events?types=tenant.created,tenant.suspended&tenantId=${tenant.id}&limit=10`,
      ),
      200,
    );
    expect(page.items.map((event) => event.type)).toEqual(["tenant.created", "tenant.suspended"]);
    expect(page.hasMore).toBe(false);
    const refused = await body<{ code: string }>(
      await s.call("GET", "/api/v1/events?types=tenant.exploded"),
      400,
    );
    expect(refused.code).toBe("invalid_input");
  });

  it("creates an endpoint with its secret once, and answers 400 invalid_webhook_url for bad URLs", async () => {
    const created = await body<{ endpoint: { id: string }; secret: string }>(
      await s.call("POST", "/api/v1/webhook-endpoints", { url: "https://hooks.example.com/x" }),
      201,
    );
    expect(created.secret).toMatch(/^whsec_/);
    const read = await body(await s.call("GET", `/api/v1/webhook-endpoints/${created.endpoint.id}`), 200);
    expect(JSON.stringify(read)).not.toContain(created.secret.slice(6));
    for (const url of [
      "http://hooks.example.com/x",
      "https://127.0.0.1:9/x",
      "https://user:pw@hooks.example.com/x",
      "file:///etc/passwd",
      `https://hooks.example.com/${"x".repeat(5000)}`,
    ]) {
      const refused = await body<{ code: string; message: string }>(
        await s.call("POST", "/api/v1/webhook-endpoints", { url }),
        400,
      );
      expect(refused.code, url).toBe("invalid_webhook_url");
    }
    const list = await body<{ items: unknown[] }>(await s.call("GET", "/api/v1/webhook-endpoints"), 200);
    expect(list.items).toHaveLength(1);
    await body(await s.call("DELETE", `/api/v1/webhook-endpoints/${created.endpoint.id}`), 204);
  });
});
