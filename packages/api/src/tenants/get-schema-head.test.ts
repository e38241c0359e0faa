import { newId } from "@tenantry/db/ids";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/**
 * `tenants.get` reads the row and the field schema's head in one statement (rows.ts,
 * getTenantRowWithSchemaHead). Its `fieldsStatus` must still follow every schema change at once,
 * with no schema, with one, and after it changes again.
 */
describe("a tenant read by id, with its field schema's head in the same statement", () => {
  it("judges the fields against the schema as it is now, change after change", async () => {
    const tenant = await h.api.tenants.create({ name: "Schema Head Corp" });
    expect((await h.api.tenants.get({ id: tenant.id })).fieldsStatus).toEqual({
      complete: true,
      missing: [],
      invalid: [],
    });

    await h.api.fields.putSchema({
      schema: {
        type: "object",
        properties: { region: { type: "string", enum: ["eu", "us"], "x-order": 1 } },
        required: ["region"],
      },
    });
    const incomplete = await h.api.tenants.get({ id: tenant.id });
    expect(incomplete.fieldsStatus).toEqual({ complete: false, missing: ["region"], invalid: [] });
    expect(incomplete).toEqual({
      ...(await h.api.tenants.list({ limit: 100 })).items.find((t) => t.id === tenant.id),
    });

    await h.api.fields.putSchema({
      schema: { type: "object", properties: { region: { type: "string", "x-order": 1 } } },
    });
    expect((await h.api.tenants.get({ id: tenant.id })).fieldsStatus.complete).toBe(true);
  });

  it("still answers 404 for a tenant that does not exist", async () => {
    expect(await failure(h.api.tenants.get({ id: newId("tenant") }))).toMatchObject({
      status: 404,
    });
  });
});
