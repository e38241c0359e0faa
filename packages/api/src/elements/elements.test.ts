import type { JsonObject } from "@tenantry/contracts/json";
import { activityLog } from "@tenantry/db/schema/activity";
import { elementInstances } from "@tenantry/db/schema/elements";
import { and, asc, eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../shared/clock";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";

let h: Harness;
let signingKey: { id: string; secret: Uint8Array };
beforeAll(async () => {
  h = await createHarness();
  const created = await h.api.signingKeys.create({ algorithm: "HS256", name: "elements" });
  signingKey = { id: created.id, secret: new TextEncoder().encode(created.secret!) };
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

async function newTenant() {
  const internalId = `el-${unique()}`;
  const tenant = await h.api.tenants.create({ name: "Elements Co", internalId });
  return { id: tenant.id, internalId };
}

async function tokenFor(internalId: string, scope: string) {
  const jwt = await new SignJWT({ sub: internalId, scope })
    .setProtectedHeader({ alg: "HS256", kid: signingKey.id })
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(signingKey.secret);
  return h.callerWith({ authorization: `Bearer ${jwt}` });
}

const syncSchema = {
  type: "object",
  properties: {
    schedule: {
      type: "object",
      title: "Schedule",
      properties: {
        every: { type: "integer", minimum: 5, maximum: 1440, title: "Every (minutes)" },
        enabled: { type: "boolean", title: "Enabled" },
      },
    },
    label: { type: "string", maxLength: 40, title: "Label" },
  },
  required: ["schedule"],
};
const syncDefinition = { schedule: { every: 60, enabled: true }, label: "Sync", steps: ["fetch", "store"] };

async function newTemplate(overrides: Record<string, unknown> = {}) {
  return h.api.elementTemplates.create({
    type: "flow",
    key: `sync-${unique()}`,
    name: "Sync contacts",
    definition: syncDefinition,
    configSchema: syncSchema,
    ...overrides,
  });
}

/** The tenant's instance of a template, created by an empty change (reading never creates it). */
function created(tenantId: string, templateId: string) {
  return h.api.elements.patch({ tenantId, templateId, revision: 1, overrides: {} });
}

async function instancesOf(tenantId: string) {
  return h.handle.db
    .select()
    .from(elementInstances)
    .where(eq(elementInstances.tenantId, tenantId))
    .orderBy(asc(elementInstances.id));
}

/** Both tables as rows, to show that a read changed nothing. */
async function instancesAndActivity() {
  return {
    instances: await h.handle.db.select().from(elementInstances).orderBy(asc(elementInstances.id)),
    activity: await h.handle.db.select().from(activityLog).orderBy(asc(activityLog.id)),
  };
}

describe("element templates", () => {
  it("creates, refuses a duplicate key, a definition that breaks its schema, and a bad schema", async () => {
    const template = await newTemplate();
    expect(template).toMatchObject({ type: "flow", revision: 1, appId: null, archived: false });
    expect(
      await failure(
        h.api.elementTemplates.create({ type: "flow", key: template.key, name: "Again", definition: {} }),
      ),
    ).toMatchObject({ status: 409, code: "element_key_taken" });
    // Same key, another type: a different template.
    await h.api.elementTemplates.create({
      type: "action",
      key: template.key,
      name: "Action",
      definition: {},
    });
    expect(
      await failure(
        h.api.elementTemplates.create({
          type: "flow",
          key: `bad-${unique()}`,
          name: "Bad",
          definition: { schedule: { every: 1 } },
          configSchema: syncSchema,
        }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_configuration" });
    expect(
      await failure(
        h.api.elementTemplates.create({
          type: "flow",
          key: `bad-${unique()}`,
          name: "Bad",
          definition: {},
          configSchema: { type: "object", properties: { a: { $ref: "http://example.com/x" } } },
        }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_config_schema" });
    expect(
      await failure(
        h.api.elementTemplates.create({
          type: "field_mapping",
          key: `m-${unique()}`,
          name: "M",
          definition: {},
        }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_input" });
  });

  it("bumps the revision on every change, refuses a stale one, and writes nothing for no change", async () => {
    const template = await newTemplate();
    const same = await h.api.elementTemplates.update({ id: template.id, revision: 1, name: template.name });
    expect(same.revision).toBe(1);
    const renamed = await h.api.elementTemplates.update({ id: template.id, revision: 1, name: "Renamed" });
    expect(renamed.revision).toBe(2);
    expect(
      await failure(h.api.elementTemplates.update({ id: template.id, revision: 1, name: "Stale" })),
    ).toMatchObject({ status: 409, code: "version_conflict" });
  });
});

describe("instances: overrides over a template", () => {
  it("resolves the template's view until the first change creates the instance, follows the template where untouched and flags where overridden", async () => {
    const tenant = await newTenant();
    const template = await newTemplate();
    const view = await h.api.elements.resolve({ tenantId: tenant.id, templateId: template.id });
    expect(view).toMatchObject({
      id: null,
      tenantId: tenant.id,
      templateId: template.id,
      connectionId: null,
      instanceKey: "",
      config: syncDefinition,
      defaults: syncDefinition,
      overrides: {},
      isCustomized: false,
      outdated: false,
      state: "ready",
      revision: 1,
      templateRevision: 1,
      mergedRevision: 1,
      active: true,
      createdAt: null,
      updatedAt: null,
    });
    // By type and key, the same view; still nothing stored.
    expect(await h.api.elements.resolve({ tenantId: tenant.id, type: "flow", key: template.key })).toEqual(
      view,
    );
    expect(await instancesOf(tenant.id)).toEqual([]);

    // The first change, naming the template's instance, creates it and changes it in one go.
    const customized = await h.api.elements.patch({
      tenantId: tenant.id,
      type: "flow",
      key: template.key,
      revision: view.revision,
      overrides: { "/schedule/every": 15 },
    });
    expect(customized).toMatchObject({
      templateId: template.id,
      isCustomized: true,
      overrides: { "/schedule/every": 15 },
      config: { schedule: { every: 15, enabled: true }, label: "Sync" },
      revision: 2,
    });
    const first = await h.api.elements.resolve({ tenantId: tenant.id, templateId: template.id });
    expect(first).toMatchObject({ id: customized.id, revision: 2, createdAt: expect.any(String) });
    expect((await instancesOf(tenant.id)).map((row) => row.id)).toEqual([customized.id]);

    // The host changes the template: the label (untouched) and the schedule (overridden).
    await h.api.elementTemplates.update({
      id: template.id,
      revision: 1,
      definition: { ...syncDefinition, label: "Sync v2", schedule: { every: 30, enabled: true } },
    });
    const after = await h.api.elements.get({ tenantId: tenant.id, instanceId: customized.id });
    expect(after).toMatchObject({
      config: { schedule: { every: 15, enabled: true }, label: "Sync v2" },
      defaults: { schedule: { every: 30 }, label: "Sync v2" },
      outdated: true,
      outdatedPaths: ["/schedule/every"],
      templateRevision: 2,
      mergedRevision: 1,
    });

    // Resetting the path follows the template again.
    const reset = await h.api.elements.reset({
      tenantId: tenant.id,
      instanceId: customized.id,
      paths: ["/schedule"],
    });
    expect(reset).toMatchObject({
      isCustomized: false,
      outdated: false,
      config: { schedule: { every: 30 } },
      mergedRevision: 2,
    });

    const log = await h.api.activity.listForTenant({ tenantId: tenant.id, limit: 20 });
    expect(log.items.map((e) => e.action)).toEqual([
      "element.reset",
      "element.customized",
      "element.created",
      "tenant.created",
    ]);
  });

  it("refuses bad patches with 400 or 409 and stores nothing, not even the instance a first change would create", async () => {
    const tenant = await newTenant();
    const template = await newTemplate();
    const byTemplate = (overrides: JsonObject, revision = 1) =>
      h.api.elements.patch({ tenantId: tenant.id, templateId: template.id, revision, overrides });
    expect(await failure(byTemplate({ "/schedule/every": 1 }))).toMatchObject({
      status: 400,
      code: "invalid_configuration",
    });
    expect(await failure(byTemplate({ "/steps": [] }))).toMatchObject({
      status: 400,
      code: "invalid_override_path",
    });
    expect(await failure(byTemplate({ "/label": "x" }, 2))).toMatchObject({
      status: 409,
      code: "version_conflict",
    });
    expect(await instancesOf(tenant.id)).toEqual([]);
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id, limit: 20 });
    expect(log.items.map((e) => e.action)).toEqual(["tenant.created"]);

    const element = await created(tenant.id, template.id);
    const patch = (overrides: JsonObject, revision = 1) =>
      h.api.elements.patch({ tenantId: tenant.id, instanceId: element.id, revision, overrides });
    expect(await failure(patch({ "/schedule/every": 1 }))).toMatchObject({
      status: 400,
      code: "invalid_configuration",
    });
    expect(await failure(patch({ "/steps": [] }))).toMatchObject({
      status: 400,
      code: "invalid_override_path",
    });
    expect(await failure(patch({ schedule: 1 }))).toMatchObject({
      status: 400,
      code: "invalid_override_path",
    });
    expect(await failure(patch({ "/label": "x" }, 7))).toMatchObject({
      status: 409,
      code: "version_conflict",
    });
    const stored = await h.api.elements.get({ tenantId: tenant.id, instanceId: element.id });
    expect(stored).toMatchObject({ revision: 1, overrides: {}, isCustomized: false });
  });

  it("creates exactly one instance under concurrent first changes, and none under concurrent reads", async () => {
    const tenant = await newTenant();
    const template = await newTemplate();
    const views = await Promise.all(
      Array.from({ length: 12 }, () =>
        h.api.elements.resolve({ tenantId: tenant.id, templateId: template.id }),
      ),
    );
    expect(new Set(views.map((v) => v.id))).toEqual(new Set([null]));
    expect(await instancesOf(tenant.id)).toEqual([]);

    // Twelve first patches with the revision they read: one creates and changes, the rest see its
    // instance at revision 2 and answer 409.
    const patches = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        h.api.elements.patch({
          tenantId: tenant.id,
          templateId: template.id,
          revision: 1,
          overrides: { "/schedule/every": 10 + i },
        }),
      ),
    );
    expect(patches.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of patches.filter((r) => r.status === "rejected")) {
      expect(await failure(Promise.reject((r as PromiseRejectedResult).reason))).toMatchObject({
        status: 409,
        code: "version_conflict",
      });
    }
    const rows = await h.handle.db
      .select()
      .from(elementInstances)
      .where(and(eq(elementInstances.tenantId, tenant.id), eq(elementInstances.templateId, template.id)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.revision).toBe(2);

    // Concurrent first deploys and resets (no revision) of another template: all succeed, on one instance.
    const other = await newTemplate();
    const firsts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0
          ? h.api.elements.deploy({ tenantId: tenant.id, templateId: other.id })
          : h.api.elements.reset({ tenantId: tenant.id, templateId: other.id, paths: [] }),
      ),
    );
    expect(new Set(firsts.map((e) => e.id)).size).toBe(1);
    expect((await instancesOf(tenant.id)).filter((row) => row.templateId === other.id)).toHaveLength(1);
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id, limit: 50 });
    expect(log.items.filter((e) => e.action === "element.created")).toHaveLength(2);
  });

  it("keeps both a template change and a concurrent patch, with a valid result", async () => {
    const tenant = await newTenant();
    const template = await newTemplate();
    const element = await created(tenant.id, template.id);
    const [patched, updated] = await Promise.allSettled([
      h.api.elements.patch({
        tenantId: tenant.id,
        instanceId: element.id,
        revision: 1,
        overrides: { "/label": "Mine" },
      }),
      h.api.elementTemplates.update({
        id: template.id,
        revision: 1,
        definition: { ...syncDefinition, schedule: { every: 120, enabled: false } },
      }),
    ]);
    expect(patched.status).toBe("fulfilled");
    expect(updated.status).toBe("fulfilled");
    const read = await h.api.elements.get({ tenantId: tenant.id, instanceId: element.id });
    expect(read).toMatchObject({
      config: { label: "Mine", schedule: { every: 120, enabled: false } },
      state: "ready",
      outdated: false,
    });
  });

  it("concurrent patches with one revision: one wins, the others answer 409", async () => {
    const tenant = await newTenant();
    const template = await newTemplate();
    const element = await created(tenant.id, template.id);
    const results = await Promise.allSettled(
      [10, 20, 30, 40].map((every) =>
        h.api.elements.patch({
          tenantId: tenant.id,
          instanceId: element.id,
          revision: 1,
          overrides: { "/schedule/every": every },
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect(await failure(Promise.reject((r as PromiseRejectedResult).reason))).toMatchObject({
        status: 409,
      });
    }
  });

  it("reports configuration_error when a template change breaks an override, and deactivates on archive", async () => {
    const tenant = await newTenant();
    const template = await newTemplate();
    const element = await created(tenant.id, template.id);
    await h.api.elements.patch({
      tenantId: tenant.id,
      instanceId: element.id,
      revision: 1,
      overrides: { "/label": "A rather long label" },
    });
    const tighter = structuredClone(syncSchema);
    tighter.properties.label.maxLength = 5;
    await h.api.elementTemplates.update({
      id: template.id,
      revision: 1,
      configSchema: tighter,
      definition: { ...syncDefinition, label: "S" },
    });
    const broken = await h.api.elements.get({ tenantId: tenant.id, instanceId: element.id });
    expect(broken).toMatchObject({ state: "configuration_error", errors: [{ path: "/label" }] });

    await h.api.elementTemplates.archive({ id: template.id });
    const inactive = await h.api.elements.get({ tenantId: tenant.id, instanceId: element.id });
    expect(inactive.active).toBe(false);
    expect(
      await failure(
        h.api.elements.patch({
          tenantId: tenant.id,
          instanceId: element.id,
          revision: 2,
          overrides: { "/label": "B" },
        }),
      ),
    ).toMatchObject({ status: 409, code: "element_archived" });
    const listed = await h.api.elements.list({ tenantId: tenant.id });
    expect(listed.items).toHaveLength(0);
    const all = await h.api.elements.list({ tenantId: tenant.id, includeArchived: true });
    expect(all.items.map((e) => e.id)).toEqual([element.id]);
  });
});

describe("access tokens", () => {
  it("reach only their own tenant's instances, and need elements:write to change them", async () => {
    const a = await newTenant();
    const b = await newTenant();
    const template = await newTemplate();
    const aElement = await created(a.id, template.id);
    const bToken = await tokenFor(b.internalId, "elements:read elements:write");
    expect(await failure(bToken.elements.get({ tenantId: a.id, instanceId: aElement.id }))).toMatchObject({
      status: 404,
    });
    // Even through its own tenant id, another tenant's instance id is not found.
    expect(await failure(bToken.elements.get({ tenantId: b.id, instanceId: aElement.id }))).toMatchObject({
      status: 404,
    });
    expect(
      await failure(
        bToken.elements.patch({ tenantId: a.id, templateId: template.id, revision: 1, overrides: {} }),
      ),
    ).toMatchObject({ status: 404 });
    const bElement = await bToken.elements.patch({
      tenantId: b.id,
      templateId: template.id,
      revision: 1,
      overrides: {},
    });
    expect(bElement.id).not.toBe(aElement.id);
    expect((await bToken.elements.list({ tenantId: b.id })).items.map((e) => e.id)).toEqual([bElement.id]);

    const readOnly = await tokenFor(b.internalId, "elements:read");
    expect(
      await failure(
        readOnly.elements.patch({
          tenantId: b.id,
          instanceId: bElement.id,
          revision: 1,
          overrides: { "/label": "x" },
        }),
      ),
    ).toMatchObject({ status: 403 });
    expect(await failure(readOnly.elementTemplates.list())).toMatchObject({ status: 403 });
  });

  it("with only elements:read, resolving writes nothing: no instance, no activity", async () => {
    const tenant = await newTenant();
    const template = await newTemplate();
    const app = await h.api.apps.create({
      key: `ro-${unique()}`,
      name: "Read-only CRM",
      authType: "api_key",
    });
    const connection = await h.api.connections.create({ tenantId: tenant.id, appId: app.id, parameters: {} });
    const perApp = await newTemplate({ appId: app.id });
    const readOnly = await tokenFor(tenant.internalId, "elements:read");
    const before = await instancesAndActivity();

    const view = await readOnly.elements.resolve({ tenantId: tenant.id, templateId: template.id });
    expect(view).toMatchObject({ id: null, templateId: template.id, config: syncDefinition, active: true });
    expect(await readOnly.elements.resolve({ tenantId: tenant.id, type: "flow", key: template.key })).toEqual(
      view,
    );
    expect(
      await readOnly.elements.resolve({
        tenantId: tenant.id,
        templateId: template.id,
        instanceKey: "second",
      }),
    ).toMatchObject({ id: null, instanceKey: "second" });
    expect(
      await readOnly.elements.resolve({
        tenantId: tenant.id,
        type: "flow",
        key: perApp.key,
        connectionId: connection.id,
      }),
    ).toMatchObject({ id: null, templateId: perApp.id, connectionId: connection.id, state: "setting_up" });
    // Nor can it change (and so create) anything.
    expect(
      await failure(
        readOnly.elements.patch({ tenantId: tenant.id, templateId: template.id, revision: 1, overrides: {} }),
      ),
    ).toMatchObject({ status: 403 });
    expect(
      await failure(readOnly.elements.deploy({ tenantId: tenant.id, templateId: template.id })),
    ).toMatchObject({ status: 403 });
    expect(await instancesAndActivity()).toEqual(before);

    // Once a change created it, the same read answers the instance.
    const instance = await created(tenant.id, template.id);
    expect(await readOnly.elements.resolve({ tenantId: tenant.id, templateId: template.id })).toMatchObject({
      id: instance.id,
      revision: 1,
    });
  });
});

describe("tenant-owned elements", () => {
  it("are created, changed in place and unique per type and key", async () => {
    const tenant = await newTenant();
    const token = await tokenFor(tenant.internalId, "elements:read elements:write");
    const own = await token.elements.create({
      tenantId: tenant.id,
      type: "action",
      key: "notify",
      name: "Notify me",
      definition: { channel: "email", to: "ops@example.com" },
      configSchema: { type: "object", properties: { channel: { type: "string", enum: ["email", "sms"] } } },
    });
    expect(own).toMatchObject({ templateId: null, isCustomized: false, state: "ready", name: "Notify me" });
    const changed = await token.elements.patch({
      tenantId: tenant.id,
      instanceId: own.id,
      revision: 1,
      overrides: { "/channel": "sms" },
    });
    expect(changed.config).toEqual({ channel: "sms", to: "ops@example.com" });
    expect(
      await failure(
        token.elements.patch({
          tenantId: tenant.id,
          instanceId: own.id,
          revision: 2,
          overrides: { "/channel": "fax" },
        }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_configuration" });
    expect(
      await failure(
        token.elements.create({
          tenantId: tenant.id,
          type: "action",
          key: "notify",
          name: "Again",
          definition: {},
        }),
      ),
    ).toMatchObject({ status: 409, code: "element_key_taken" });
    expect(
      await failure(
        token.elements.create({
          tenantId: tenant.id,
          type: "action",
          key: "regex",
          name: "Regex",
          definition: {},
          configSchema: { type: "object", properties: { a: { type: "string", pattern: "^(a+)+$" } } },
        }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_config_schema" });
  });
});

describe("connections and field mappings", () => {
  it("deploys a field mapping against its data source, and archives instances when disconnected", async () => {
    const tenant = await newTenant();
    const app = await h.api.apps.create({ key: `crm-${unique()}`, name: "CRM", authType: "api_key" });
    const connection = await h.api.connections.create({ tenantId: tenant.id, appId: app.id, parameters: {} });
    await h.api.elementTemplates.create({
      type: "data_source",
      key: "contacts",
      name: "Contacts",
      appId: app.id,
      definition: {
        collection: "contacts",
        fields: { email: { title: "E-mail" }, full_name: { title: "Name" } },
      },
    });
    const hostFields = {
      type: "object",
      properties: {
        email: { type: "object", title: "Email" },
        name: { type: "object", title: "Name" },
      },
    };
    const mapping = await h.api.elementTemplates.create({
      type: "field_mapping",
      key: "contacts-import",
      name: "Contacts import",
      appId: app.id,
      dataSourceKey: "contacts",
      direction: "import",
      definition: { import: { email: { field: "email" }, name: { field: "full_name" } } },
      configSchema: { type: "object", properties: { import: hostFields } },
    });

    const selector = {
      tenantId: tenant.id,
      type: "field_mapping",
      key: "contacts-import",
      connectionId: connection.id,
    } as const;
    const view = await h.api.elements.resolve(selector);
    expect(view).toMatchObject({
      id: null,
      templateId: mapping.id,
      state: "setting_up",
      connectionId: connection.id,
    });
    const instance = await h.api.elements.reset({ ...selector, paths: [] });
    expect(instance).toMatchObject({ templateId: mapping.id, state: "setting_up", revision: 1 });
    const fields = await h.api.elements.externalFields({ tenantId: tenant.id, instanceId: instance.id });
    expect(fields.items?.map((f) => f.key)).toEqual(["email", "full_name"]);

    const deployed = await h.api.elements.deploy(selector);
    expect(deployed).toMatchObject({ id: instance.id, state: "ready", errors: [] });

    // Mapping to a field the data source lacks fails setup (a ready instance is re-checked on change).
    const wrong = await h.api.elements.patch({
      tenantId: tenant.id,
      instanceId: instance.id,
      revision: deployed.revision,
      overrides: { "/import/name": { field: "nickname" } },
    });
    expect(wrong).toMatchObject({ state: "setup_failed", errors: [{ path: "/import/name/field" }] });
    const constant = await h.api.elements.patch({
      tenantId: tenant.id,
      instanceId: instance.id,
      revision: wrong.revision,
      overrides: { "/import/name": { value: "Unknown" } },
    });
    expect(constant.state).toBe("ready");

    await h.api.connections.delete({ id: connection.id });
    const archived = await h.api.elements.get({ tenantId: tenant.id, instanceId: instance.id });
    expect(archived.active).toBe(false);
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id, limit: 50 });
    expect(log.items.some((e) => e.action === "element.archived" && e.target.id === instance.id)).toBe(true);
  });
});

describe("time", () => {
  it("comes from the context's clock: creations, changes and archiving are stamped with it", async () => {
    const clock = testClock("2030-03-01T10:00:00.000Z");
    const timed = await createHarness({ clock });
    try {
      const tenant = await timed.api.tenants.create({ name: "Clocked", internalId: `el-${unique()}` });
      const template = await timed.api.elementTemplates.create({
        type: "flow",
        key: `clocked-${unique()}`,
        name: "Clocked",
        definition: syncDefinition,
        configSchema: syncSchema,
      });
      expect([template.createdAt, template.updatedAt]).toEqual([
        "2030-03-01T10:00:00.000Z",
        "2030-03-01T10:00:00.000Z",
      ]);
      clock.advance(60_000);
      const patched = await timed.api.elements.patch({
        tenantId: tenant.id,
        templateId: template.id,
        revision: 1,
        overrides: { "/label": "Mine" },
      });
      expect([patched.createdAt, patched.updatedAt]).toEqual([
        "2030-03-01T10:01:00.000Z",
        "2030-03-01T10:01:00.000Z",
      ]);
      clock.advance(60_000);
      const archived = await timed.api.elements.archive({ tenantId: tenant.id, instanceId: patched.id });
      expect([archived.archivedAt, archived.updatedAt]).toEqual([
        "2030-03-01T10:02:00.000Z",
        "2030-03-01T10:02:00.000Z",
      ]);
      clock.advance(60_000);
      const archivedTemplate = await timed.api.elementTemplates.archive({ id: template.id });
      expect(archivedTemplate.archivedAt).toBe("2030-03-01T10:03:00.000Z");
    } finally {
      await timed.close();
    }
  });
});
