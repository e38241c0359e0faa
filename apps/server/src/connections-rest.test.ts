import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHarness, type Harness } from "@tenantry/api/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "./http-server";

let h: Harness;
let server: Server;
let base: string;

beforeAll(async () => {
  h = await createHarness();
  server = createHttpServer({
    state: { db: h.handle.db, keyring: h.keyring },
    logger: pino({ level: "silent" }),
    publicUrl: "http://127.0.0.1",
    bodyLimitBytes: 1024 * 1024,
    version: "test",
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await h.close();
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${h.apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("connections over REST", () => {
  it("creates an app and a basic connection, reads it without secrets, reads credentials, disconnects", async () => {
    const app = await call("POST", "/apps", {
      key: "jira",
      name: "Jira",
      authType: "basic",
      parametersSchema: {
        type: "object",
        properties: { username: { type: "string" }, password: { type: "string", writeOnly: true } },
        required: ["username", "password"],
      },
    });
    expect(app.status).toBe(201);
    const tenant = await (await call("POST", "/tenants", { name: "Rest Co" })).json();

    const bad = await call("POST", `/tenants/${tenant.id}/connections`, {
      appKey: "jira",
      parameters: { username: "ann" },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe("invalid_parameters");

    const created = await call("POST", `/tenants/${tenant.id}/connections`, {
      appKey: "jira",
      parameters: { username: "ann", password: "hunter2-secret" },
    });
    expect(created.status).toBe(201);
    const connection = await created.json();
    expect(connection.status).toBe("connected");

    const read = await call("GET", `/connections/${connection.id}`);
    expect(read.status).toBe(200);
    const list = await call("GET", `/tenants/${tenant.id}/connections`);
    expect(JSON.stringify([await read.json(), await list.json()])).not.toContain("hunter2");

    const credentials = await call("GET", `/connections/${connection.id}/credentials`);
    expect(await credentials.json()).toEqual({
      type: "basic",
      parameters: { username: "ann", password: "hunter2-secret" },
    });

    const deleted = await call("DELETE", `/connections/${connection.id}`);
    expect(deleted.status).toBe(200);
    expect((await call("GET", `/connections/${connection.id}/credentials`)).status).toBe(409);

    const openApi = await (await fetch(`${base}/api/v1/openapi.json`)).json();
    expect(Object.keys(openApi.paths)).toEqual(
      expect.arrayContaining([
        "/apps",
        "/tenants/{tenantId}/connections",
        "/connections/{id}",
        "/connections/{id}/credentials",
      ]),
    );
  });
});
