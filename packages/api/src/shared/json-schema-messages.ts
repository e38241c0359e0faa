import type { OutputUnit } from "@cfworker/json-schema";
import type { ErrorObject } from "ajv";
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
} from "./plain-messages";

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

/**
 * An Ajv error in plain words ("must be one of eu, us"), read after the name of the value it is
 * about. Ajv's own wording ("must be equal to one of the allowed values") does not name the values.
 */
export function ajvMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type":
      return mustBeType(String(params.type).split(","));
    case "enum":
      return mustBeOneOf((params.allowedValues as unknown[]) ?? []);
    case "const":
      return mustBeOneOf([params.allowedValue]);
    case "format":
      return mustHaveFormat(String(params.format));
    case "pattern":
      return mustMatchPattern(String(params.pattern));
    case "required":
      return `${String(params.missingProperty)} ${isRequired}`;
    case "additionalProperties":
      return `${String(params.additionalProperty)} ${isUnknownKey}`;
    default:
      return (
        boundMessage(error.keyword, params.limit ?? params.multipleOf) ?? error.message ?? "is not valid"
      );
  }
}

/** Every Ajv error of one value, each once. */
export function ajvMessages(errors: readonly ErrorObject[] | null | undefined): string {
  return [...new Set((errors ?? []).map(ajvMessage))].join("; ");
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
 * A @cfworker/json-schema output unit as `{ path, message }` in plain words, or null for the units
 * that only say a child failed. @cfworker carries no parameters, so the keyword's value is read
 * from the schema at `keywordLocation`; what cannot be read keeps the library's own text.
 */
export function cfworkerIssue(unit: OutputUnit, schema: unknown): { path: string; message: string } | null {
  const path = unit.instanceLocation.replace(/^#/, "");
  const keywordValue = valueAtPointer(schema, unit.keywordLocation.replace(/^#/, ""));
  const named = unit.error.match(QUOTED)?.[1];
  switch (unit.keyword) {
    case "properties":
    case "items":
    case "allOf":
    case "$ref":
    case "false":
      // A child's own unit says what is wrong (a `false` schema is an additional property's).
      return null;
    case "required":
      return named === undefined ? null : { path: `${path}/${named}`, message: isRequired };
    case "additionalProperties":
      return named === undefined ? null : { path: `${path}/${named}`, message: isUnknownKey };
  }
  const at = path || "/";
  if (keywordValue === undefined) return { path: at, message: unit.error };
  switch (unit.keyword) {
    case "type":
      return { path: at, message: mustBeType(keywordValue as string | string[]) };
    case "enum":
      return { path: at, message: mustBeOneOf(Array.isArray(keywordValue) ? keywordValue : [keywordValue]) };
    case "const":
      return { path: at, message: mustBeOneOf([keywordValue]) };
    case "format":
      return { path: at, message: mustHaveFormat(String(keywordValue)) };
    case "pattern":
      return { path: at, message: mustMatchPattern(String(keywordValue)) };
  }
  return { path: at, message: boundMessage(unit.keyword, keywordValue) ?? unit.error };
}
