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

type Problem = { path: (string | number)[]; message: string };

/**
 * The first problem in a JSON value, depth first in document order. Iterative, with an explicit
 * stack: a value nested far deeper than `maxDepth` is refused at `maxDepth`, never by running out
 * of call stack. `depth` is the level `value` sits at (the object checked is level 1).
 */
function findProblem(
  value: unknown,
  path: (string | number)[],
  depth: number,
  maxDepth: number,
  maxKeyLength: number,
): Problem | null {
  // Each entry is a value to check; `key` is set when it is an object member whose key is checked first.
  type Entry = { value: unknown; path: (string | number)[]; depth: number; key?: string };
  const stack: Entry[] = [{ value, path, depth }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    if (entry.key !== undefined) {
      const parentPath = entry.path.slice(0, -1);
      if (FORBIDDEN_KEYS.has(entry.key))
        return { path: entry.path, message: `the key "${entry.key}" is not allowed` };
      if (entry.key.length > maxKeyLength)
        return { path: parentPath, message: `keys must be at most ${maxKeyLength} characters` };
    }
    const current = entry.value;
    if (current === null || typeof current === "string" || typeof current === "boolean") continue;
    if (typeof current === "number") {
      if (Number.isFinite(current)) continue;
      return { path: entry.path, message: "must be a finite number" };
    }
    if (entry.depth > maxDepth) return { path: entry.path, message: `nests deeper than ${maxDepth} levels` };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push({ value: current[i], path: [...entry.path, i], depth: entry.depth + 1 });
      continue;
    }
    if (!isPlainObject(current)) return { path: entry.path, message: "must be a JSON value" };
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      stack.push({ value: current[key], path: [...entry.path, key], depth: entry.depth + 1, key });
    }
  }
  return null;
}
