import { describe, expect, it } from "vitest";
import { jsonObject } from "./json";

const metadata = jsonObject("test", { maxDepth: 3, maxKeyLength: 5 });

function issuesOf(value: unknown) {
  const result = metadata.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

describe("jsonObject", () => {
  it("accepts plain JSON up to its depth", () => {
    expect(issuesOf({ a: { b: [1, "x", null, true] } })).toEqual([]);
  });

  it("names the first problem in document order", () => {
    expect(issuesOf({ a: 1, b: { c: Number.NaN }, d: Number.POSITIVE_INFINITY })).toEqual([
      { path: ["b", "c"], message: "must be a finite number" },
    ]);
    expect(issuesOf({ ok: { __proto__: null, constructor: 1 } })).toEqual([
      { path: ["ok", "constructor"], message: 'the key "constructor" is not allowed' },
    ]);
    expect(issuesOf({ a: { toolong: 1 } })).toEqual([
      { path: ["a"], message: "keys must be at most 5 characters" },
    ]);
    expect(issuesOf({ a: { b: { c: { d: 1 } } } })).toEqual([
      { path: ["a", "b", "c"], message: "nests deeper than 3 levels" },
    ]);
    expect(issuesOf({ a: [undefined] })).toEqual([{ path: ["a", 0], message: "must be a JSON value" }]);
  });

  it("refuses 100,000 levels at its limit, without running out of stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(() => issuesOf(deep)).not.toThrow();
    expect(issuesOf(deep)).toEqual([{ path: ["a", "a", "a"], message: "nests deeper than 3 levels" }]);
  });
});
