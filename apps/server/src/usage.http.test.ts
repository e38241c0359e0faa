import type { AddressInfo } from "node:net";
import { bootstrapDefaultWorkspace, createApiKey, randomKeyring } from "@tenantry/api/server-runtime";
import { createTestDatabase } from "@tenantry/db/test-database";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "./http-server";

let close: () => Promise<void>;
let base: string;
let auth: Record<string, string>;

beforeAll(async () => {
  const handle = await createTestDatabase();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db, {});
  const { key } = await createApiKey(handle.db, { workspaceId, name: "http" });
  const server = createHttpServer({
    state: { db: handle.db, keyring: await randomKeyring() },
    logger: pino({ level: "silent" }),
    publicUrl: "http://127.0.0.1",
    bodyLimitBytes: 1_000_000,
    version: "test",
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  close = async () => {
    await new Promise((resolve) => server.close(resolve));
    await handle.close();
  };
});
afterAll(() => close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: "POST", headers: { ...auth, ...headers }, body: JSON.stringify(body) });

describe("usage over REST", () => {
  it("records, answers 429 with used/limit/remaining at the top level, and 400 for bad amounts", async () => {
    const created = await post("/tenants", { name: "Http Co", aiCreditsRolling30DayLimit: 100 });
    expect(created.status).toBe(201);
    const tenant = (await created.json()) as { id: string };
    const path = `/tenants/${tenant.id}/usage`;

    const results = await Promise.all(
      Array.from({ length: 30 }, () => post(path, { metric: "ai_credits", amount: 7 })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200 || s === 201)).toHaveLength(14);
    expect(statuses.filter((s) => s === 429)).toHaveLength(16);
    const refused = results.find((r) => r.status === 429)!;
    expect(await refused.json()).toMatchObject({
      code: "usage_limit_exceeded",
      used: 98,
      limit: 100,
      remaining: 2,
    });

    for (const amount of [0, -1, 1.5, "3", 2 ** 53]) {
      const bad = await post(path, { metric: "ai_credits", amount });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: "invalid_input" });
    }

    const replayed = await Promise.all(
      Array.from({ length: 5 }, () =>
        post(path, { metric: "ai_credits", amount: 2 }, { "idempotency-key": "retry-1" }),
      ),
    );
    expect(replayed.every((r) => r.status === replayed[0]!.status && r.status < 300)).toBe(true);

    const read = await fetch(`${base}/tenants/${tenant.id}/usage/ai_credits`, { headers: auth });
    expect(await read.json()).toMatchObject({
      used: 100,
      limit: 100,
      remaining: 0,
      limitSource: "tenant",
      refusedToday: 16,
    });
    const history = await fetch(`${base}/tenants/${tenant.id}/usage/ai_credits/history?granularity=hour`, {
      headers: auth,
    });
    expect(history.status).toBe(200);
    expect(
      ((await history.json()) as { items: { amount: number }[] }).items.reduce((n, i) => n + i.amount, 0),
    ).toBe(100);
  });
});
