import { type CompiledJsonSchema, compileJsonSchema } from "@tenantry/contracts/json-schema-validation";
import { canonicalJson } from "../shared/crypto";
import type { InputIssue } from "../shared/errors";

/**
 * The pure part of elements: JSON Pointers (RFC 6901), merging a template's definition with a
 * tenant's overrides, which paths a config schema lets a tenant change, validation, and which
 * overridden paths the template has moved under. No database here, so it is cheap and unit-tested.
 */

export type JsonMap = Record<string, unknown>;

const hasOwn = (object: object, key: string) => Object.hasOwn(object, key);
const isObject = (value: unknown): value is JsonMap =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** `/a/b~1c` → ["a", "b/c"]; null when it is not a pointer to a member (the root "" is not). */
export function parsePointer(pointer: string): string[] | null {
  if (!pointer.startsWith("/") || pointer.length < 2) return null;
  const segments = pointer.slice(1).split("/");
  for (const segment of segments) {
    if (segment === "" || /~[^01]|~$/.test(segment)) return null;
  }
  return segments.map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export const toPointer = (segments: string[]) =>
  segments.map((s) => `/${s.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");

/** The value at a pointer, or undefined when any step is missing. */
export function valueAt(document: unknown, segments: string[]): unknown {
  let current = document;
  for (const segment of segments) {
    if (!isObject(current) || !hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** Sets a value at a pointer in place, creating (or replacing non-object) parents on the way. */
function setAt(document: JsonMap, segments: string[], value: unknown): void {
  let current = document;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const next = hasOwn(current, segment) ? current[segment] : undefined;
    if (isObject(next)) current = next;
    else {
      const created: JsonMap = {};
      current[segment] = created;
      current = created;
    }
  }
  current[segments[segments.length - 1]!] = value;
}

/** Ancestors before descendants, so a deeper override lands on top of a shallower one. */
const byDepth = (a: string, b: string) => a.split("/").length - b.split("/").length || (a < b ? -1 : 1);

/**
 * Template definition + overrides. Mutates and returns `definition`: callers pass a copy they own
 * (a row just read from the database is one), which spares a deep clone on every request.
 */
export function mergeOverrides(definition: JsonMap, overrides: JsonMap): JsonMap {
  const pointers = Object.keys(overrides);
  if (pointers.length > 1) pointers.sort(byDepth);
  for (const pointer of pointers) {
    const segments = parsePointer(pointer);
    if (segments) setAt(definition, segments, structuredCloneJson(overrides[pointer]));
  }
  return definition;
}

function structuredCloneJson(value: unknown): unknown {
  return value !== null && typeof value === "object" ? JSON.parse(JSON.stringify(value)) : value;
}

export const isSameOrBelow = (pointer: string, ancestor: string) =>
  pointer === ancestor || pointer.startsWith(`${ancestor}/`);

/**
 * A tenant may override a path only where the config schema names it: every segment is a key of
 * the `properties` of the node above it (nested objects allowed).
 */
export function checkOverridePaths(configSchema: JsonMap, pointers: Iterable<string>): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const pointer of pointers) {
    const segments = parsePointer(pointer);
    if (!segments) {
      issues.push({ path: pointer, message: "is not a JSON Pointer to a member (e.g. /settings/limit)" });
      continue;
    }
    let node: unknown = configSchema;
    for (const segment of segments) {
      const properties = isObject(node) ? node.properties : undefined;
      node = isObject(properties) && hasOwn(properties, segment) ? properties[segment] : undefined;
      if (node === undefined) break;
    }
    if (!isObject(node))
      issues.push({ path: pointer, message: "the config schema does not let tenants change it" });
  }
  return issues;
}

/**
 * Validators are keyed by template id and revision (immutable together), so each schema is compiled
 * once per process; a bounded map keeps a long-running process from growing without end.
 */
const validators = new Map<string, CompiledJsonSchema>();
const MAX_VALIDATORS = 5_000;

/** The shared validator (`@tenantry/contracts/json-schema-validation`): the widgets judge with the same one. */
export function validatorFor(cacheKey: string | null, configSchema: JsonMap): CompiledJsonSchema {
  let validator = cacheKey ? validators.get(cacheKey) : undefined;
  if (!validator) {
    validator = compileJsonSchema(configSchema);
    if (cacheKey) {
      if (validators.size >= MAX_VALIDATORS) validators.delete(validators.keys().next().value!);
      validators.set(cacheKey, validator);
    }
  }
  return validator;
}

/** Validation problems as `{ path: JSON Pointer ("/" for the whole), message }` in plain words. */
export function validateConfig(validator: CompiledJsonSchema, config: unknown): InputIssue[] {
  return validator.validate(config).problems.map(({ path, message }) => ({ path: path || "/", message }));
}

const canonical = (value: unknown) => canonicalJson(value === undefined ? null : value);

/** The template's value at each overridden path, as the tenant saw it when overriding. */
export function baseValues(definition: JsonMap, pointers: Iterable<string>): JsonMap {
  const bases: JsonMap = {};
  for (const pointer of pointers) {
    const value = valueAt(definition, parsePointer(pointer) ?? []);
    bases[pointer] = value === undefined ? null : value;
  }
  return bases;
}

/** Overridden paths whose template value is no longer the one the tenant overrode. */
export function outdatedPaths(definition: JsonMap, overrides: JsonMap, bases: JsonMap): string[] {
  const outdated: string[] = [];
  for (const pointer of Object.keys(overrides)) {
    const current = valueAt(definition, parsePointer(pointer) ?? []);
    if (canonical(current) !== canonical(bases[pointer])) outdated.push(pointer);
  }
  return outdated.sort();
}

const SCHEMA_KEYWORDS = new Set([
  "$schema",
  "type",
  "title",
  "description",
  "default",
  "examples",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "readOnly",
  "writeOnly",
  "x-order",
  "x-widget",
]);
const SCHEMA_TYPES = new Set(["object", "string", "number", "integer", "boolean", "array", "null"]);
const MAX_SCHEMA_NODES = 1_000;

/**
 * A config schema is plain JSON Schema without references or combinators: what forms can render,
 * what both validators agree on, and nothing that reaches outside the document.
 */
export function checkConfigSchema(schema: JsonMap): InputIssue[] {
  const issues: InputIssue[] = [];
  let nodes = 0;
  const visit = (node: unknown, path: string) => {
    if (++nodes > MAX_SCHEMA_NODES) {
      if (nodes === MAX_SCHEMA_NODES + 1)
        issues.push({ path, message: `at most ${MAX_SCHEMA_NODES} schema nodes` });
      return;
    }
    if (typeof node === "boolean") return;
    if (!isObject(node)) {
      issues.push({ path, message: "must be a JSON Schema object" });
      return;
    }
    for (const key of Object.keys(node)) {
      if (!SCHEMA_KEYWORDS.has(key))
        issues.push({ path: `${path}/${key}`, message: "is not a supported keyword" });
    }
    const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
    for (const type of types) {
      if (typeof type !== "string" || !SCHEMA_TYPES.has(type))
        issues.push({ path: `${path}/type`, message: "is not a JSON Schema type" });
    }
    if (node.properties !== undefined) {
      if (!isObject(node.properties))
        issues.push({ path: `${path}/properties`, message: "must be an object" });
      else
        for (const [name, child] of Object.entries(node.properties)) {
          visit(child, `${path}/properties/${toPointer([name]).slice(1)}`);
        }
    }
    if (
      node.required !== undefined &&
      !(Array.isArray(node.required) && node.required.every((r) => typeof r === "string"))
    )
      issues.push({ path: `${path}/required`, message: "must be a list of property names" });
    if (node.items !== undefined) visit(node.items, `${path}/items`);
    if (node.additionalProperties !== undefined)
      visit(node.additionalProperties, `${path}/additionalProperties`);
    if (typeof node.pattern === "string") {
      try {
        new RegExp(node.pattern, "u");
      } catch {
        issues.push({ path: `${path}/pattern`, message: "is not a valid regular expression" });
      }
    }
  };
  visit(schema, "");
  if (issues.length === 0 && schema.type !== "object")
    issues.push({ path: "/type", message: 'a config schema describes an object: "type": "object"' });
  return issues;
}
