import { type OutputUnit, Validator } from "@cfworker/json-schema";
import {
  atLeast,
  atMost,
  isRequired,
  isUnknownKey,
  mustBeMultipleOf,
  mustBeOneOf,
  mustBeType,
  mustHaveFormat,
  mustMatchPattern,
} from "./plain-messages.js";

/**
 * The one JSON Schema validator of Tenantry: the server judges tenant fields, connection parameters
 * and element configuration with it, and the widgets judge the same values with it as the user
 * types, so a form and the server cannot disagree. It is @cfworker/json-schema (draft 2020-12), an
 * interpreter: no code generation, so it runs under a strict Content-Security-Policy and stays
 * small enough for the widgets' size budget. Problems come out in the plain words of
 * `plain-messages` ("must be at most 10 characters"), the same as zod's for the same rule.
 */

/** One problem: where in the value (a JSON Pointer, "" for the value itself), which keyword, in plain words. */
export interface JsonSchemaProblem {
  path: string;
  keyword: string;
  message: string;
}

export interface JsonSchemaResult {
  valid: boolean;
  /** Each problem once, in the order the schema's keywords found them. */
  problems: JsonSchemaProblem[];
  /** The problems' messages, each once, joined by "; " ("" when valid). */
  message: string;
}

export interface CompiledJsonSchema {
  readonly schema: object;
  validate(value: unknown): JsonSchemaResult;
}

/** A schema the validator cannot use (today: a `pattern` that is no regular expression). */
export class InvalidJsonSchemaError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path || "/"} ${message}`);
    this.name = "InvalidJsonSchemaError";
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** The validator compiles patterns only when a value reaches them: refuse a broken one up front. */
function checkPatterns(node: unknown, path: string): void {
  if (!isObject(node)) return;
  if (typeof node.pattern === "string") {
    try {
      new RegExp(node.pattern, "u");
    } catch {
      throw new InvalidJsonSchemaError(`${path}/pattern`, "is not a valid regular expression");
    }
  }
  if (isObject(node.properties)) {
    for (const [name, child] of Object.entries(node.properties)) {
      checkPatterns(child, `${path}/properties/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`);
    }
  }
  checkPatterns(node.items, `${path}/items`);
  checkPatterns(node.additionalProperties, `${path}/additionalProperties`);
}

/** Compiles a schema once; every problem is reported (no short-circuit), each in plain words. */
export function compileJsonSchema(schema: object): CompiledJsonSchema {
  checkPatterns(schema, "");
  const validator = new Validator(schema, "2020-12", false);
  return {
    schema,
    validate(value) {
      const result = validator.validate(value);
      if (result.valid) return { valid: true, problems: [], message: "" };
      const problems = plainProblems(result.errors, schema);
      return { valid: false, problems, message: [...new Set(problems.map((p) => p.message))].join("; ") };
    },
  };
}

function plainProblems(units: readonly OutputUnit[], schema: object): JsonSchemaProblem[] {
  const problems: JsonSchemaProblem[] = [];
  const seen = new Set<string>();
  for (const unit of units) {
    const problem = plainProblem(unit, schema);
    if (!problem) continue;
    const key = `${problem.path}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  if (problems.length > 0) return problems;
  // Only "a child failed" units (should not happen): keep the library's own words over nothing.
  const first = units[0];
  return first
    ? [{ path: instancePath(first), keyword: first.keyword, message: first.error }]
    : [{ path: "", keyword: "", message: "is not valid" }];
}

const instancePath = (unit: OutputUnit) => unit.instanceLocation.replace(/^#/, "");

/** A JSON Schema keyword's bound, in the words zod's map uses for the same rule. */
function boundMessage(keyword: string, limit: unknown): string | undefined {
  if (typeof limit !== "number") return undefined;
  switch (keyword) {
    case "maxLength":
      return atMost("string", limit);
    case "minLength":
      return atLeast("string", limit);
    case "maxItems":
      return atMost("array", limit);
    case "minItems":
      return atLeast("array", limit);
    case "maximum":
      return atMost("number", limit);
    case "minimum":
      return atLeast("number", limit);
    case "exclusiveMaximum":
      return atMost("number", limit, false);
    case "exclusiveMinimum":
      return atLeast("number", limit, false);
    case "multipleOf":
      return mustBeMultipleOf(limit);
    default:
      return undefined;
  }
}

/** The value at a JSON Pointer (`/properties/limit/maximum`), or undefined. */
function valueAtPointer(document: unknown, pointer: string): unknown {
  let current = document;
  for (const raw of pointer.split("/").slice(1)) {
    let segment = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    try {
      segment = decodeURIComponent(segment);
    } catch {}
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

const QUOTED = /"((?:[^"\\]|\\.)*)"/;

/**
 * An output unit in plain words, or null for the units that only say a child failed. The library
 * carries no parameters, so the keyword's value is read from the schema at `keywordLocation`; what
 * cannot be read keeps the library's own text.
 */
function plainProblem(unit: OutputUnit, schema: object): JsonSchemaProblem | null {
  const path = instancePath(unit);
  const keyword = unit.keyword;
  const keywordValue = valueAtPointer(schema, unit.keywordLocation.replace(/^#/, ""));
  const named = unit.error.match(QUOTED)?.[1];
  switch (keyword) {
    case "properties":
    case "items":
    case "allOf":
    case "$ref":
    case "false":
      // A child's own unit says what is wrong (a `false` schema is an additional property's).
      return null;
    case "required":
      return named === undefined ? null : { path: `${path}/${named}`, keyword, message: isRequired };
    case "additionalProperties":
      return named === undefined ? null : { path: `${path}/${named}`, keyword, message: isUnknownKey };
  }
  if (keywordValue === undefined) return { path, keyword, message: unit.error };
  switch (keyword) {
    case "type":
      return { path, keyword, message: mustBeType(keywordValue as string | string[]) };
    case "enum":
      return {
        path,
        keyword,
        message: mustBeOneOf(Array.isArray(keywordValue) ? keywordValue : [keywordValue]),
      };
    case "const":
      return { path, keyword, message: mustBeOneOf([keywordValue]) };
    case "format":
      return { path, keyword, message: mustHaveFormat(String(keywordValue)) };
    case "pattern":
      return { path, keyword, message: mustMatchPattern(String(keywordValue)) };
  }
  return { path, keyword, message: boundMessage(keyword, keywordValue) ?? unit.error };
}
