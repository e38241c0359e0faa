import { checkFieldValues, compileFieldSchema, validateConfig, validatorFor } from "@tenantry/api/testing";
import type { FieldDefinition } from "@tenantry/contracts/fields";
import { beforeAll, describe, expect, it } from "vitest";
import type { MessageKey } from "../i18n/messages.js";
import { checkValue, judgeBySchema, loadValidator } from "./field-model.js";

/**
 * One table of (schema, value, answer), asked of every place that judges a value by JSON Schema:
 * the server's tenant fields (also connection parameters), the server's element configuration, and
 * what the forms call as the user types. All must give the same answer, word for word; the form
 * shows it in the user's language as `widgetKey`.
 */
interface Case {
  name: string;
  schema: FieldDefinition;
  value: unknown;
  /** Absent: the value is valid. */
  message?: string;
  widgetKey?: MessageKey;
}

const cases: Case[] = [
  { name: "an email", schema: { type: "string", format: "email" }, value: "ada@example.com" },
  {
    name: "not an email",
    schema: { type: "string", format: "email" },
    value: "nope",
    message: "must be a valid email address",
    widgetKey: "validation.email",
  },
  { name: "a URL", schema: { type: "string", format: "uri" }, value: "https://example.com/a?b=c" },
  {
    name: "not a URL",
    schema: { type: "string", format: "uri" },
    value: "not a url",
    message: "must be a valid URL",
    widgetKey: "validation.uri",
  },
  { name: "a leap day", schema: { type: "string", format: "date" }, value: "2024-02-29" },
  {
    name: "a day February lacks",
    schema: { type: "string", format: "date" },
    value: "2026-02-30",
    message: "must be a date (YYYY-MM-DD)",
    widgetKey: "validation.date",
  },
  { name: "a date and time", schema: { type: "string", format: "date-time" }, value: "2026-01-31T12:00:00Z" },
  {
    name: "a date without its time",
    schema: { type: "string", format: "date-time" },
    value: "2026-01-31",
    message: "must be a date and time (e.g. 2026-01-31T12:00:00Z)",
    widgetKey: "validation.dateTime",
  },
  { name: "one of the options", schema: { type: "string", enum: ["eu", "us"] }, value: "eu" },
  {
    name: "none of the options",
    schema: { type: "string", enum: ["eu", "us"] },
    value: "mars",
    message: "must be one of eu, us",
    widgetKey: "validation.enum",
  },
  {
    name: "too many characters",
    schema: { type: "string", maxLength: 10 },
    value: "x".repeat(11),
    message: "must be at most 10 characters",
    widgetKey: "validation.maxLength",
  },
  {
    name: "too short and off the pattern (every problem, the form shows the first)",
    schema: { type: "string", minLength: 8, pattern: "^[a-z]+$" },
    value: "AB",
    message: "must be at least 8 characters; must match the pattern ^[a-z]+$",
    widgetKey: "validation.minLength",
  },
  {
    name: "a number for a string",
    schema: { type: "string" },
    value: 5,
    message: "must be a string",
    widgetKey: "validation.invalid",
  },
  { name: "a whole number in range", schema: { type: "integer", minimum: 1, maximum: 500 }, value: 500 },
  {
    name: "below the minimum",
    schema: { type: "integer", minimum: 1, maximum: 500 },
    value: 0,
    message: "must be at least 1",
    widgetKey: "validation.minimum",
  },
  {
    name: "above the maximum",
    schema: { type: "integer", minimum: 1, maximum: 500 },
    value: 501,
    message: "must be at most 500",
    widgetKey: "validation.maximum",
  },
  {
    name: "a fraction for a whole number",
    schema: { type: "integer" },
    value: 2.5,
    message: "must be a whole number",
    widgetKey: "validation.integer",
  },
  {
    name: "at the exclusive minimum",
    schema: { type: "number", exclusiveMinimum: 0 },
    value: 0,
    message: "must be greater than 0",
    widgetKey: "validation.exclusiveMinimum",
  },
  {
    name: "not a multiple",
    schema: { type: "number", multipleOf: 5 },
    value: 7,
    message: "must be a multiple of 5",
    widgetKey: "validation.multipleOf",
  },
  {
    name: "a word for a boolean",
    schema: { type: "boolean" },
    value: "yes",
    message: "must be true or false",
    widgetKey: "validation.invalid",
  },
];

/** The server's tenant fields: the value as field `v` of a field schema. */
function serverFieldsAnswer(schema: FieldDefinition, value: unknown): string | null {
  const compiled = compileFieldSchema({ type: "object", properties: { v: schema } });
  const issues = checkFieldValues(compiled, { v: value }, ["v"]);
  expect(issues.every((issue) => issue.path === "fields.v")).toBe(true);
  return issues.length === 0 ? null : issues.map((issue) => issue.message).join("; ");
}

/** The server's element configuration: the value as member `/v` of a config. */
function serverElementsAnswer(schema: FieldDefinition, value: unknown): string | null {
  const issues = validateConfig(validatorFor(null, { type: "object", properties: { v: schema } }), {
    v: value,
  });
  expect(issues.every((issue) => issue.path === "/v")).toBe(true);
  return issues.length === 0 ? null : issues.map((issue) => issue.message).join("; ");
}

describe("one JSON Schema validator: the server and the forms give the same answers", () => {
  beforeAll(async () => {
    await loadValidator();
  });

  it.each(cases)("$name", ({ schema, value, message, widgetKey }) => {
    const expected = message ?? null;
    expect(serverFieldsAnswer(schema, value)).toBe(expected);
    expect(serverElementsAnswer(schema, value)).toBe(expected);
    const client = judgeBySchema(schema, value);
    expect(client?.valid).toBe(expected === null);
    expect(client?.message || null).toBe(expected);
    expect(checkValue(schema, false, value)?.key ?? null).toBe(widgetKey ?? null);
  });
});
