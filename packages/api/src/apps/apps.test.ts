import { activityLog } from "@tenantry/db/schema/activity";
import { apps } from "@tenantry/db/schema/connections";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";
import { clientSecretAad } from "./service";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

async function appCount(): Promise<number> {
  const [row] = await h.handle.db.select({ n: count() }).from(apps);
  return row!.n;
}

const oauth2 = {
  authorizeUrl: "https://provider.example/authorize",
  tokenUrl: "https://provider.example/token",
  clientId: "client-1",
  clientSecret: "s3cret-never-read",
  scopes: ["read", "write"],
};

describe("app catalog", () => {
  it("creates an oauth2 app whose client secret is sealed and never read back", async () => {
    const app = await h.api.apps.create({ key: "github", name: "GitHub", authType: "oauth2", oauth2 });
    expect(app).toMatchObject({
      key: "github",
      authType: "oauth2",
      oauth2: { clientId: "client-1", pkce: true },
    });
    expect(app.oauth2?.hasClientSecret).toBe(true);
    expect(JSON.stringify(app)).not.toContain("s3cret");
    expect(JSON.stringify(await h.api.apps.get({ id: app.id }))).not.toContain("s3cret");
    expect(JSON.stringify(await h.api.apps.list())).not.toContain("s3cret");

    const [row] = await h.handle.db.select().from(apps).where(eq(apps.id, app.id));
    expect(row!.clientSecretSealed).not.toContain("s3cret");
    expect(
      await h.keyring.open(
        row!.clientSecretSealed!,
        clientSecretAad({ workspaceId: h.workspaceId, id: app.id }),
      ),
    ).toBe("s3cret-never-read");

    const entries = await h.handle.db.select().from(activityLog).where(eq(activityLog.targetId, app.id));
    expect(entries.map((e) => e.action)).toEqual(["app.created"]);
    expect(JSON.stringify(entries)).not.toContain("s3cret");
  });

  it("compiles an api_key app's parameters schema and refuses a broken one with nothing saved", async () => {
    const app = await h.api.apps.create({
      key: "stripe",
      name: "Stripe",
      authType: "api_key",
      parametersSchema: {
        type: "object",
        properties: { apiKey: { type: "string", minLength: 10, writeOnly: true } },
        required: ["apiKey"],
      },
    });
    expect(app.parametersSchema).toMatchObject({ required: ["apiKey"] });
    const before = await appCount();
    const error = await failure(
      h.api.apps.create({
        key: "broken",
        name: "Broken",
        authType: "basic",
        parametersSchema: { type: "object", properties: { user: { type: "strnig" } } },
      }),
    );
    expect(error).toMatchObject({ status: 400, code: "invalid_field_schema" });
    expect(await appCount()).toBe(before);
  });

  it("refuses a taken key, missing or misplaced oauth2 settings, and a bad URL", async () => {
    const before = await appCount();
    expect(
      await failure(h.api.apps.create({ key: "github", name: "Again", authType: "oauth2", oauth2 })),
    ).toMatchObject({ status: 409, code: "conflict" });
    expect(await failure(h.api.apps.create({ key: "x1", name: "X", authType: "oauth2" }))).toMatchObject({
      status: 400,
      code: "invalid_input",
    });
    expect(
      await failure(h.api.apps.create({ key: "x2", name: "X", authType: "basic", oauth2 })),
    ).toMatchObject({ status: 400, code: "invalid_input" });
    expect(
      await failure(
        h.api.apps.create({
          key: "x3",
          name: "X",
          authType: "oauth2",
          oauth2: { ...oauth2, tokenUrl: "javascript:alert(1)" },
        }),
      ),
    ).toMatchObject({ status: 400, code: "invalid_input" });
    expect(await appCount()).toBe(before);
  });

  it("answers 404 for an unknown app and needs an API key", async () => {
    expect(await failure(h.api.apps.get({ id: "app_nope" }))).toMatchObject({
      status: 404,
      code: "not_found",
    });
    expect(await failure(h.callerWith({}).apps.list())).toMatchObject({ status: 401 });
  });
});

describe("changing and archiving apps", () => {
  it("changes only the OAuth settings an update names", async () => {
    const app = await h.api.apps.create({
      key: "notion",
      name: "Notion",
      authType: "oauth2",
      oauth2: { ...oauth2, scopes: ["read", "write"] },
    });
    const updated = await h.api.apps.update({ id: app.id, oauth2: { clientId: "client-2" } });
    expect(updated.oauth2).toMatchObject({ clientId: "client-2", scopes: ["read", "write"], pkce: true });
    expect((await h.api.apps.get({ id: app.id })).oauth2?.scopes).toEqual(["read", "write"]);
  });

  it("updates settings in place, replaces the client secret write-only, and logs without secrets", async () => {
    const app = await h.api.apps.create({ key: "linear", name: "Linear", authType: "oauth2", oauth2 });
    const updated = await h.api.apps.update({
      id: app.id,
      name: "Linear (EU)",
      oauth2: { scopes: ["read"], clientSecret: "rotated-s3cret" },
    });
    expect(updated).toMatchObject({
      name: "Linear (EU)",
      oauth2: { clientId: "client-1", scopes: ["read"] },
    });
    const [row] = await h.handle.db.select().from(apps).where(eq(apps.id, app.id));
    expect(
      await h.keyring.open(
        row!.clientSecretSealed!,
        clientSecretAad({ workspaceId: h.workspaceId, id: app.id }),
      ),
    ).toBe("rotated-s3cret");
    const entries = await h.handle.db.select().from(activityLog).where(eq(activityLog.targetId, app.id));
    expect(entries.map((e) => e.action)).toEqual(["app.created", "app.updated"]);
    expect(JSON.stringify(entries)).not.toContain("s3cret");

    const basic = await h.api.apps.create({ key: "zendesk", name: "Zendesk", authType: "basic" });
    const before = await h.api.apps.get({ id: basic.id });
    expect(await failure(h.api.apps.update({ id: basic.id, oauth2: { clientId: "x" } }))).toMatchObject({
      status: 400,
    });
    expect(
      await failure(
        h.api.apps.update({
          id: basic.id,
          parametersSchema: { type: "object", properties: { a: { type: "nope" } } },
        }),
      ),
    ).toMatchObject({ status: 400 });
    expect(await h.api.apps.get({ id: basic.id })).toEqual(before);
  });

  it("archives an app: gone from the catalog and from new connections, 404 on a second archive", async () => {
    const app = await h.api.apps.create({ key: "trello", name: "Trello", authType: "api_key" });
    const tenant = await h.api.tenants.create({ name: "Archive Co" });
    const kept = await h.api.connections.create({ tenantId: tenant.id, appId: app.id, parameters: {} });
    expect((await h.api.apps.archive({ id: app.id })).archivedAt).not.toBeNull();
    expect((await h.api.apps.list()).items.map((a) => a.key)).not.toContain("trello");
    expect((await h.api.apps.catalog({ tenantId: tenant.id })).items.map((a) => a.key)).not.toContain(
      "trello",
    );
    expect(
      await failure(h.api.connections.create({ tenantId: tenant.id, appId: app.id, parameters: {} })),
    ).toMatchObject({ status: 404 });
    expect(await failure(h.api.apps.archive({ id: app.id }))).toMatchObject({ status: 404 });
    expect(await failure(h.api.apps.update({ id: app.id, name: "x" }))).toMatchObject({ status: 404 });
    expect(await h.api.connections.credentials({ id: kept.id })).toMatchObject({ type: "api_key" });
  });
});
