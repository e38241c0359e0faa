import { describe, expect, it } from "vitest";
import { z } from "zod";
import { validateConfig, validatorFor } from "../elements/config";
import { checkFieldValues, compileFieldSchema } from "../fields/field-schema";
import { installPlainErrorMessages } from "./zod-messages";

installPlainErrorMessages();

const fieldSchema = {
  type: "object",
  properties: {
    region: { type: "string", enum: ["eu", "us"] },
    seats: { type: "integer", minimum: 1, maximum: 500 },
    code: { type: "string", maxLength: 10 },
    contact: { type: "string", format: "email" },
    renewsOn: { type: "string", format: "date" },
  },
  required: ["region"],
};

const configSchema = {
  type: "object",
  properties: {
    mode: { enum: ["open", "closed"] },
    limit: { type: "integer", maximum: 100 },
    label: { type: "string", maxLength: 10 },
    contact: { type: "string", format: "email" },
    nested: {
      type: "object",
      properties: { x: { type: "string" } },
      required: ["x"],
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

/** What zod's map says for the same rule, so both validators can be compared word for word. */
function zodMessage(schema: z.ZodType, value: unknown): string {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error("accepted");
  return parsed.error.issues[0]!.message;
}

describe("JSON Schema problems in the same plain words as zod's", () => {
  it("tenant fields: enum values named, bounds, formats, types, required", () => {
    const compiled = compileFieldSchema(fieldSchema);
    const issues = checkFieldValues(
      compiled,
      { region: "mars", seats: 0, code: "x".repeat(11), contact: "nope", renewsOn: "soon" },
      ["region", "seats", "code", "contact", "renewsOn"],
    );
    expect(issues).toEqual([
      { path: "fields.region", message: "must be one of eu, us" },
      { path: "fields.seats", message: "must be at least 1" },
      { path: "fields.code", message: "must be at most 10 characters" },
      { path: "fields.contact", message: "must be a valid email address" },
      { path: "fields.renewsOn", message: "must be a date (YYYY-MM-DD)" },
    ]);
    expect(checkFieldValues(compiled, { seats: "many" }, ["seats"])).toEqual([
      { path: "fields.seats", message: "must be a whole number" },
    ]);
    expect(issues[0]!.message).toBe(zodMessage(z.enum(["eu", "us"]), "mars"));
    expect(issues[2]!.message).toBe(zodMessage(z.string().max(10), "x".repeat(11)));
    expect(issues[3]!.message).toBe(zodMessage(z.email(), "nope"));
  });

  it("element configuration: the same words, at each JSON Pointer, unknown and missing keys named", () => {
    const issues = validateConfig(validatorFor(null, configSchema), {
      mode: "ajar",
      limit: 101,
      label: "x".repeat(11),
      contact: "nope",
      nested: { y: 1 },
      extra: true,
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "/mode", message: "must be one of open, closed" },
        { path: "/limit", message: "must be at most 100" },
        { path: "/label", message: "must be at most 10 characters" },
        { path: "/contact", message: "must be a valid email address" },
        { path: "/nested/x", message: "is required" },
        { path: "/nested/y", message: "is not a known field" },
        { path: "/extra", message: "is not a known field" },
      ]),
    );
    expect(issues).toHaveLength(7);
    expect(validateConfig(validatorFor(null, configSchema), { limit: "many" })).toEqual([
      { path: "/limit", message: "must be a whole number" },
    ]);
  });
});
