import { describe, expect, it } from "vitest";
import { failure } from "../testing/expect-error";
import { checkFieldValues, compileFieldSchema, withDefaults } from "./field-schema";

const schema = {
  type: "object",
  properties: {
    region: { type: "string", enum: ["eu", "us"], title: "Region", "x-order": 2 },
    seats: { type: "integer", minimum: 1, maximum: 500, default: 5, "x-order": 1 },
    contact: { type: "string", format: "email" },
    website: { type: "string", format: "uri" },
    renewsOn: { type: "string", format: "date" },
    beta: { type: "boolean" },
    apiToken: { type: "string", writeOnly: true, minLength: 8 },
  },
  required: ["region"],
};

describe("compiling the field schema", () => {
  it("compiles a schema, orders fields by x-order then name and finds secret fields", () => {
    const compiled = compileFieldSchema(schema);
    expect(compiled.orderedFields).toEqual([
      "seats",
      "region",
      "apiToken",
      "beta",
      "contact",
      "renewsOn",
      "website",
    ]);
    expect([...compiled.secretFields]).toEqual(["apiToken"]);
  });

  it.each([
    ["not an object schema", { type: "array" }],
    ["an unknown field type", { type: "object", properties: { a: { type: "date" } } }],
    ["an unknown keyword", { type: "object", properties: { a: { type: "string", colour: "red" } } }],
    [
      "a pattern that is no regular expression",
      { type: "object", properties: { a: { type: "string", pattern: "(" } } },
    ],
    [
      "a default that does not fit",
      { type: "object", properties: { a: { type: "integer", maximum: 3, default: 9 } } },
    ],
    ["a required name that is no property", { type: "object", properties: {}, required: ["ghost"] }],
    ["a field name with spaces", { type: "object", properties: { "my field": { type: "string" } } }],
    ["a __proto__ field", JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}')],
    ["a secret number", { type: "object", properties: { pin: { type: "number", writeOnly: true } } }],
    [
      "a secret with a default",
      { type: "object", properties: { s: { type: "string", writeOnly: true, default: "x" } } },
    ],
  ])("refuses %s with 400", async (_, document) => {
    expect(await failure(Promise.resolve().then(() => compileFieldSchema(document)))).toMatchObject({
      status: 400,
      code: "invalid_field_schema",
    });
  });
});

describe("checking values", () => {
  const compiled = compileFieldSchema(schema);

  it("judges only the keys asked about and ignores keys the schema does not name", () => {
    expect(
      checkFieldValues(compiled, { region: "eu", seats: 3, custom: { any: "thing" } }, [
        "region",
        "seats",
        "custom",
      ]),
    ).toEqual([]);
    const issues = checkFieldValues(
      compiled,
      {
        region: "mars",
        seats: 0,
        contact: "nope",
        website: "not a url",
        renewsOn: "2026-02-30",
        beta: "yes",
      },
      ["region", "seats", "contact", "website", "renewsOn", "beta"],
    );
    expect(issues.map((i) => i.path)).toEqual([
      "fields.region",
      "fields.seats",
      "fields.contact",
      "fields.website",
      "fields.renewsOn",
      "fields.beta",
    ]);
    expect(checkFieldValues(compiled, {}, ["seats"])).toEqual([]);
    expect(checkFieldValues(compiled, { region: null }, ["region"])).toEqual([
      { path: "fields.region", message: "is required" },
    ]);
  });

  it("fills defaults for fields a new tenant does not have", () => {
    expect(withDefaults(compiled, { region: "eu" })).toEqual({ region: "eu", seats: 5 });
    expect(withDefaults(compiled, { seats: 9 })).toEqual({ seats: 9 });
  });
});
