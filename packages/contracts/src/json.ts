import { z } from "zod";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Keys that would reach an object's prototype when a client merges the value naively. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

interface JsonObjectLimits {
  maxBytes: number;
  maxDepth: number;
  maxKeyLength: number;
}

/**
 * A JSON object checked as it came in (zod's record would silently drop `__proto__`; we refuse it):
 * plain JSON values only, bounded size and depth, no prototype keys.
 */
export function jsonObject(description: string, limits: Partial<JsonObjectLimits> = {}) {
  const { maxBytes = 16 * 1024, maxDepth = 8, maxKeyLength = 200 } = limits;
  return z
    .custom<JsonObject>()
    .superRefine((value, ctx) => {
      if (!isPlainObject(value)) {
        ctx.addIssue({ code: "custom", message: "must be a JSON object" });
        return;
      }
      const problem = findProblem(value, [], 1, maxDepth, maxKeyLength);
      if (problem) {
        ctx.addIssue({ code: "custom", message: problem.message, path: problem.path });
        return;
      }
      const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
      if (bytes > maxBytes) {
        ctx.addIssue({ code: "custom", message: `must be at most ${maxBytes} bytes as JSON (got ${bytes})` });
      }
    })
    .meta({ type: "object", additionalProperties: true, description });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function findProblem(
  value: unknown,
  path: (string | number)[],
  depth: number,
  maxDepth: number,
  maxKeyLength: number,
): { path: (string | number)[]; message: string } | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") {
    return Number.isFinite(value) ? null : { path, message: "must be a finite number" };
  }
  if (depth > maxDepth) return { path, message: `nests deeper than ${maxDepth} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = findProblem(value[i], [...path, i], depth + 1, maxDepth, maxKeyLength);
      if (problem) return problem;
    }
    return null;
  }
  if (!isPlainObject(value)) return { path, message: "must be a JSON value" };
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return { path: [...path, key], message: `the key "${key}" is not allowed` };
    if (key.length > maxKeyLength)
      return { path, message: `keys must be at most ${maxKeyLength} characters` };
    const problem = findProblem(value[key], [...path, key], depth + 1, maxDepth, maxKeyLength);
    if (problem) return problem;
  }
  return null;
}
