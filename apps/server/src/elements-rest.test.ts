import { rowsOf } from "@tenantry/db/database";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { body } from "./testing/response-body";
import { startTestServer, type TestServer } from "./testing/test-server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

interface ElementBody {
  id: string | null;
  revision: number;
  config: Record<string, unknown>;
  outdatedPaths: string[];
}

describe("elements over REST", () => {
  it("a host defines a template, a tenant customizes it, the template changes: untouched parts follow", async () => {
    const template = await body<{ id: string; revision: number }>(
      await s.call("POST", "/api/v1/element-templates", {
        type: "action",
        key: "create-ticket",
        name: "Create ticket",
        definition: { priority: "normal", queue: "support", assignee: null },
        configSchema: {
          type: "object",
          properties: {
            priority: { type: "string", enum: ["low", "normal", "high"], title: "Priority" },
            queue: { type: "string", title: "Queue" },
          },
        },
      }),
      201,
    );
    const tenant = await body<{ id: string }>(
      await s.call("POST", "/api/v1/tenants", { name: "REST elements", internalId: "rest-elements" }),
      201,
    );
    const elements = `/api/v1/tenants/${tenant.id}/elements`;

    // Reading the tenant's instance before anything created it answers the template's view.
    const view = await body<ElementBody>(
      await s.call("GET", `${elements}/resolve?type=action&key=create-ticket`),
      200,
    );
    expect(view).toMatchObject({ id: null, revision: 1, config: { priority: "normal", queue: "support" } });
    expect((await body<{ items: unknown[] }>(await s.call("GET", elements), 200)).items).toEqual([]);
    // Over REST the first write that names a template is deploy; it creates the instance.
    const created = await body<ElementBody>(
      await s.call("POST", `${elements}/deploy`, { type: "action", key: "create-ticket" }),
      200,
    );
    expect(created).toMatchObject({ id: expect.stringMatching(/^elem_/), state: "ready" });
    expect(
      await body<ElementBody>(await s.call("GET", `${elements}/resolve?type=action&key=create-ticket`), 200),
    ).toMatchObject({ id: created.id });
    const patched = await body<ElementBody>(
      await s.call("PATCH", `${elements}/${created.id}`, {
        revision: created.revision,
        overrides: { "/priority": "high" },
      }),
      200,
    );
    expect(patched.config).toEqual({ priority: "high", queue: "support", assignee: null });

    expect(
      await body(
        await s.call("PATCH", `${elements}/${created.id}`, {
          revision: patched.revision,
          overrides: { "/priority": "x" },
        }),
        400,
      ),
    ).toMatchObject({ code: "invalid_configuration" });
    expect(
      await body(
        await s.call("PATCH", `${elements}/${created.id}`, {
          revision: patched.revision,
          overrides: { "/assignee": "me" },
        }),
        400,
      ),
    ).toMatchObject({ code: "invalid_override_path" });
    expect(
      await body(
        await s.call("PATCH", `${elements}/${created.id}`, { revision: 1, overrides: { "/queue": "sales" } }),
        409,
      ),
    ).toMatchObject({ code: "version_conflict", currentRevision: patched.revision });

    await body(
      await s.call("PATCH", `/api/v1/element-templates/${template.id}`, {
        revision: template.revision,
        definition: { priority: "low", queue: "helpdesk", assignee: null },
      }),
      200,
    );
    const read = await body<ElementBody>(await s.call("GET", `${elements}/${created.id}`), 200);
    expect(read).toMatchObject({
      config: { priority: "high", queue: "helpdesk" },
      isCustomized: true,
      outdated: true,
      outdatedPaths: ["/priority"],
      state: "ready",
    });

    const list = await body<{ items: ElementBody[]; nextCursor: string | null }>(
      await s.call("GET", `${elements}?type=action&limit=10`),
      200,
    );
    expect(list.items.map((e) => e.id)).toEqual([created.id]);

    const reset = await body<ElementBody>(await s.call("POST", `${elements}/${created.id}/reset`, {}), 200);
    expect(reset.config).toEqual({ priority: "low", queue: "helpdesk", assignee: null });

    const templates = await body<{ items: { id: string }[] }>(
      await s.call("GET", "/api/v1/element-templates"),
      200,
    );
    expect(templates.items.map((t) => t.id)).toContain(template.id);
    const openapi = await body<{ paths: Record<string, unknown> }>(
      await s.call("GET", "/api/v1/openapi.json"),
      200,
    );
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        "/element-templates",
        "/element-templates/{id}",
        "/tenants/{tenantId}/elements",
        "/tenants/{tenantId}/elements/{instanceId}",
        "/tenants/{tenantId}/elements/{instanceId}/reset",
      ]),
    );
  });

  it("lets a tenant's access token reach its own elements only", async () => {
    await body(
      await s.call("POST", "/api/v1/element-templates", {
        type: "flow",
        key: "nightly",
        name: "Nightly",
        definition: { hour: 2 },
        configSchema: { type: "object", properties: { hour: { type: "integer", minimum: 0, maximum: 23 } } },
      }),
      201,
    );
    const minted = await body<{ token: string; tenantId: string }>(
      await s.call("POST", "/api/v1/test-tenant/token", { scope: "elements:read elements:write" }),
      201,
    );
    const asTenant = { authorization: `Bearer ${minted.token}` };
    const view = await body<ElementBody>(
      await s.call(
        "GET",
        `/api/v1/tenants/${minted.tenantId}/elements/resolve?type=flow&key=nightly`,
        undefined,
        asTenant,
      ),
      200,
    );
    expect(view).toMatchObject({ id: null, config: { hour: 2 } });
    const mine = await body<ElementBody>(
      await s.call(
        "POST",
        `/api/v1/tenants/${minted.tenantId}/elements/deploy`,
        { type: "flow", key: "nightly" },
        asTenant,
      ),
      200,
    );
    const patched = await body<ElementBody>(
      await s.call(
        "PATCH",
        `/api/v1/tenants/${minted.tenantId}/elements/${mine.id}`,
        { revision: mine.revision, overrides: { "/hour": 4 } },
        asTenant,
      ),
      200,
    );
    expect(patched.config).toEqual({ hour: 4 });

    const other = await body<{ id: string }>(
      await s.call("POST", "/api/v1/tenants", { name: "Other", internalId: "rest-other" }),
      201,
    );
    const theirs = await body<ElementBody>(
      await s.call("POST", `/api/v1/tenants/${other.id}/elements/deploy`, { type: "flow", key: "nightly" }),
      200,
    );
    await body(
      await s.call(
        "GET",
        `/api/v1/tenants/${other.id}/elements/resolve?type=flow&key=nightly`,
        undefined,
        asTenant,
      ),
      404,
    );
    await body(
      await s.call("GET", `/api/v1/tenants/${other.id}/elements/${theirs.id}`, undefined, asTenant),
      404,
    );
    await body(
      await s.call("GET", `/api/v1/tenants/${minted.tenantId}/elements/${theirs.id}`, undefined, asTenant),
      404,
    );
    await body(await s.call("GET", "/api/v1/element-templates", undefined, asTenant), 403);
  });

  it("with only elements:read, GET …/resolve creates no instance and records no activity", async () => {
    await body(
      await s.call("POST", "/api/v1/element-templates", {
        type: "action",
        key: "read-only-probe",
        name: "Probe",
        definition: { level: 1 },
        configSchema: { type: "object", properties: { level: { type: "integer" } } },
      }),
      201,
    );
    const minted = await body<{ token: string; tenantId: string }>(
      await s.call("POST", "/api/v1/test-tenant/token", { scope: "elements:read" }),
      201,
    );
    const asReader = { authorization: `Bearer ${minted.token}` };
    const counts = async () => {
      const result = await s.handle.db.execute<{ instances: string; activity: string }>(
        sql`select (select count(*) from element_instances) as instances, (select count(*) from activity_log) as activity`,
      );
      return rowsOf<unknown>(result)[0];
    };
    const before = await counts();
    const resolve = `/api/v1/tenants/${minted.tenantId}/elements/resolve?type=action&key=read-only-probe`;
    for (let i = 0; i < 3; i++) {
      expect(await body<ElementBody>(await s.call("GET", resolve, undefined, asReader), 200)).toMatchObject({
        id: null,
        config: { level: 1 },
      });
    }
    await body(
      await s.call(
        "POST",
        `/api/v1/tenants/${minted.tenantId}/elements/deploy`,
        { type: "action", key: "read-only-probe" },
        asReader,
      ),
      403,
    );
    expect(await counts()).toEqual(before);
  });
});
