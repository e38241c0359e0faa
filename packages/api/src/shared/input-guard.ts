import { summarizeIssue } from "@tenantry/contracts/plain-messages";
import { TRPCError } from "@trpc/server";
import { databaseInputError } from "./db-errors";
import type { InputIssue } from "./errors";

/**
 * The first check every request's input meets, before any schema, walker or database sees it:
 * no string (value or object key, anywhere) holds the NUL character or an unpaired surrogate —
 * PostgreSQL text cannot store the first and JSON/UTF-8 cannot carry the second — and no value
 * nests deeper than `MAX_INPUT_DEPTH` levels, so code after it (zod, Ajv, JSON.stringify, the
 * recursive helpers) never runs out of stack. Iterative and pure: safe on any input, in a browser too.
 */

export const MAX_INPUT_DEPTH = 64;

export type { InputIssue };

/** An issue with its path as segments (what zod issues carry), before it is joined for clients. */
export interface GuardIssue {
  path: (string | number)[];
  message: string;
}

const NUL_MESSAGE = "must not contain the NUL character (U+0000)";
const KEY_NUL_MESSAGE = "this key must not contain the NUL character (U+0000)";
const deepMessage = (maxDepth: number) => `nests deeper than ${maxDepth} levels`;
const surrogateMessage = (index: number, what = "must") =>
  `${what} be valid Unicode (an unpaired surrogate at index ${index})`;

/** Either a NUL or a surrogate half: only strings holding one of them need a closer look. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point.
const SUSPECT = /[\u0000\ud800-\udfff]/;

type StringProblem = { kind: "nul" } | { kind: "surrogate"; index: number };

function stringProblem(text: string): StringProblem | null {
  const start = text.search(SUSPECT);
  if (start < 0) return null;
  for (let i = start; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return { kind: "nul" };
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++; // a valid pair (an emoji, say)
      continue;
    }
    return { kind: "surrogate", index: i };
  }
  return null;
}

/** A key as it can be shown in an issue's path: NUL and lone surrogates written as `\uXXXX`. */
function printableKey(key: string): string {
  if (!SUSPECT.test(key)) return key;
  let out = "";
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    const next = i + 1 < key.length ? key.charCodeAt(i + 1) : 0;
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += key[i]! + key[i + 1]!;
      i++;
    } else if (unit === 0 || (unit >= 0xd800 && unit <= 0xdfff)) {
      out += `\\u${unit.toString(16).padStart(4, "0")}`;
    } else out += key[i];
  }
  return out;
}

interface Frame {
  value: unknown;
  /** Levels of arrays and objects from the root down to and including this value's container. */
  depth: number;
  parent: Frame | null;
  segment: string | number | null;
}

function pathOf(frame: Frame, last?: string | number): (string | number)[] {
  const path: (string | number)[] = last === undefined ? [] : [last];
  for (let at: Frame | null = frame; at && at.segment !== null; at = at.parent) path.push(at.segment);
  return path.reverse();
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The first problem in `raw` (in document order), or null. Values other than strings, arrays and
 * plain objects are left to the schema. A value reached twice (in-process callers may pass shared
 * or cyclic objects) is checked once, so the walk is linear in the input's size.
 */
export function findInputProblem(raw: unknown, maxDepth = MAX_INPUT_DEPTH): GuardIssue | null {
  const stack: Frame[] = [{ value: raw, depth: 0, parent: null, segment: null }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value } = frame;
    if (typeof value === "string") {
      const problem = stringProblem(value);
      if (problem)
        return {
          path: pathOf(frame),
          message: problem.kind === "nul" ? NUL_MESSAGE : surrogateMessage(problem.index),
        };
      continue;
    }
    if (value === null || typeof value !== "object" || seen.has(value)) continue;
    const isArray = Array.isArray(value);
    if (!isArray && !isPlainObject(value)) continue;
    seen.add(value);
    const depth = frame.depth + 1;
    if (depth > maxDepth) return { path: pathOf(frame), message: deepMessage(maxDepth) };
    if (isArray) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], depth, parent: frame, segment: i });
      continue;
    }
    const keys = Object.keys(value);
    for (const key of keys) {
      const problem = stringProblem(key);
      if (problem)
        return {
          path: pathOf(frame, printableKey(key)),
          message:
            problem.kind === "nul" ? KEY_NUL_MESSAGE : surrogateMessage(problem.index, "this key must"),
        };
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      stack.push({ value: (value as Record<string, unknown>)[key], depth, parent: frame, segment: key });
    }
  }
  return null;
}

/** `findInputProblem` with the path joined as clients see it (`fields.region`, `items.0`). */
export function guardInput(raw: unknown, maxDepth = MAX_INPUT_DEPTH): InputIssue | null {
  const problem = findInputProblem(raw, maxDepth);
  return problem && { path: problem.path.map(String).join("."), message: problem.message };
}

/** Shaped like a zod error, so `describeError` answers it exactly like a schema failure. */
class InputGuardIssues extends Error {
  constructor(readonly issues: GuardIssue[]) {
    super(issues[0]!.message);
    this.name = "InputGuardIssues";
  }
}

/** The 400 `invalid_input` a guard problem answers, over tRPC and REST alike. */
export function inputGuardError(problem: GuardIssue): TRPCError {
  return new TRPCError({
    code: "BAD_REQUEST",
    message: summarizeIssue({ path: problem.path.map(String).join("."), message: problem.message }),
    cause: new InputGuardIssues([problem]),
  });
}

/** Throws the 400 for the first problem in `raw`; returns nothing when it is fine. */
export function assertInputIsSafe(raw: unknown, maxDepth = MAX_INPUT_DEPTH): void {
  const problem = findInputProblem(raw, maxDepth);
  if (problem) throw inputGuardError(problem);
}

type MiddlewareResultLike = { ok: boolean; error?: unknown };

/**
 * The guard around the rest of a procedure's chain: refuses unsafe raw input with 400
 * `invalid_input` before `run` (authentication, then `.input()` parsing and the resolver), and turns
 * what the database says about bad input into a 4xx (a reference to a parent that does not exist →
 * 404 `not_found`; see `databaseInputError`) instead of a 500, whether `run` throws it or answers it.
 */
export async function runGuarded<TResult extends MiddlewareResultLike>(
  rawInput: unknown,
  run: () => Promise<TResult>,
): Promise<TResult> {
  assertInputIsSafe(rawInput);
  let result: TResult;
  try {
    result = await run();
  } catch (error) {
    throw databaseInputError(error) ?? error;
  }
  if (!result.ok) {
    const mapped = databaseInputError(result.error);
    if (mapped) throw mapped;
  }
  return result;
}

/** `runGuarded` as a middleware of its own: `t.procedure.use(inputGuardMiddleware).use(…)`. */
export async function inputGuardMiddleware<TResult extends MiddlewareResultLike>(opts: {
  getRawInput: () => Promise<unknown>;
  next: () => Promise<TResult>;
}): Promise<TResult> {
  return runGuarded(await opts.getRawInput(), () => opts.next());
}
