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
    expect(await h.keyring.open(row!.clientSecretSealed!, clientSecretAad(app.id))).toBe("s3cret-never-read");

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
