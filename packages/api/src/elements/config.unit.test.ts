import { describe, expect, it } from "vitest";
import {
  baseValues,
  checkConfigSchema,
  checkOverridePaths,
  mergeOverrides,
  outdatedPaths,
  parsePointer,
  toPointer,
  validateConfig,
  validatorFor,
} from "./config";

const schema = {
  type: "object",
  properties: {
    limit: { type: "integer", minimum: 1, maximum: 100, title: "Limit" },
    filter: {
      type: "object",
      properties: { status: { type: "string", enum: ["open", "closed"] }, "a/b": { type: "string" } },
    },
  },
};

describe("JSON Pointers", () => {
  it("parses and escapes per RFC 6901, refusing the root and malformed escapes", () => {
    expect(parsePointer("/filter/a~1b")).toEqual(["filter", "a/b"]);
    expect(parsePointer("/m~0n")).toEqual(["m~n"]);
    expect(toPointer(["filter", "a/b", "m~n"])).toBe("/filter/a~1b/m~0n");
    for (const bad of ["", "/", "filter", "/a//b", "/a~2", "/a~"]) expect(parsePointer(bad)).toBeNull();
  });
});

describe("merging", () => {
  it("applies overrides shallow first, creating parents, without touching other paths", () => {
    const merged = mergeOverrides(
      { limit: 10, filter: { status: "open", keep: true } },
      { "/filter/status": "closed", "/filter": { status: "open" }, "/new/deep": 1 },
    );
    expect(merged).toEqual({ limit: 10, filter: { status: "closed" }, new: { deep: 1 } });
  });

  it("allows only paths the schema's properties name", () => {
    expect(checkOverridePaths(schema, ["/limit", "/filter", "/filter/status", "/filter/a~1b"])).toEqual([]);
    expect(
      checkOverridePaths(schema, ["/other", "/limit/x", "/filter/__proto__", "nope"]).map((i) => i.path),
    ).toEqual(["/other", "/limit/x", "/filter/__proto__", "nope"]);
  });

  it("validates with every problem named by its pointer", () => {
    const issues = validateConfig(validatorFor(null, schema), { limit: 0, filter: { status: "x" } });
    expect(issues.map((i) => i.path).sort()).toEqual(["/filter/status", "/limit"]);
  });

  it("flags an overridden path as outdated only when the template's value there changed", () => {
    const before = { limit: 10, filter: { status: "open" } };
    const bases = baseValues(before, ["/limit", "/filter/status"]);
    expect(outdatedPaths(before, { "/limit": 5, "/filter/status": "closed" }, bases)).toEqual([]);
    const after = { limit: 20, filter: { status: "open" }, extra: true };
    expect(outdatedPaths(after, { "/limit": 5, "/filter/status": "closed" }, bases)).toEqual(["/limit"]);
  });
});

describe("config schemas", () => {
  it("accepts plain JSON Schema and refuses references, unknown keywords, bad types and patterns", () => {
    expect(checkConfigSchema(schema)).toEqual([]);
    expect(checkConfigSchema({ type: "object", properties: { a: { $ref: "#/x" } } })[0]?.path).toBe(
      "/properties/a/$ref",
    );
    expect(checkConfigSchema({ type: "object", properties: { a: { type: "text" } } })).toHaveLength(1);
    expect(
      checkConfigSchema({ type: "object", properties: { a: { type: "string", pattern: "(" } } }),
    ).toHaveLength(1);
    expect(checkConfigSchema({ type: "string" })[0]?.path).toBe("/type");
  });
});
