/**
 * The wording every validation problem is told in, whichever validator found it (zod for inputs,
 * JSON Schema for tenant fields, connection parameters and element configuration, on the server and
 * in the widgets alike). Each message reads after the name of what it is about: "name" + " is
 * required", "role" + " must be one of owner, admin".
 */

const ARTICLE_TYPES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  integer: "a whole number",
  bigint: "a whole number",
  boolean: "true or false",
  object: "an object",
  record: "an object",
  array: "a list",
  tuple: "a list",
  set: "a list",
  date: "a date",
  null: "null",
};

export const isRequired = "is required";

/** "must be a string", "must be a string or null" (JSON Schema may allow several types). */
export function mustBeType(expected: string | readonly string[]): string {
  const types = typeof expected === "string" ? [expected] : expected;
  return `must be ${types.map((type) => ARTICLE_TYPES[type] ?? type).join(" or ")}`;
}

function valueText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** "must be one of owner, admin, member, viewer"; a single allowed value: "must be owner". */
export function mustBeOneOf(values: readonly unknown[]): string {
  if (values.length === 1) return `must be ${valueText(values[0])}`;
  return `must be one of ${values.map(valueText).join(", ")}`;
}

const plural = (count: number | bigint, one: string, many: string) =>
  `${count} ${Number(count) === 1 ? one : many}`;

type Sized = "string" | "array" | "number";

/** The upper bound of a length, a number of items or a number. */
export function atMost(kind: Sized, maximum: number | bigint, inclusive = true): string {
  if (kind === "string")
    return inclusive
      ? `must be at most ${plural(maximum, "character", "characters")}`
      : `must be shorter than ${plural(maximum, "character", "characters")}`;
  if (kind === "array")
    return inclusive
      ? `must have at most ${plural(maximum, "item", "items")}`
      : `must have fewer than ${plural(maximum, "item", "items")}`;
  return inclusive ? `must be at most ${maximum}` : `must be less than ${maximum}`;
}

/** The lower bound of a length, a number of items or a number. */
export function atLeast(kind: Sized, minimum: number | bigint, inclusive = true): string {
  if (kind === "string") {
    if (inclusive && Number(minimum) === 1) return "must not be empty";
    return inclusive
      ? `must be at least ${plural(minimum, "character", "characters")}`
      : `must be longer than ${plural(minimum, "character", "characters")}`;
  }
  if (kind === "array")
    return inclusive
      ? `must have at least ${plural(minimum, "item", "items")}`
      : `must have more than ${plural(minimum, "item", "items")}`;
  return inclusive ? `must be at least ${minimum}` : `must be greater than ${minimum}`;
}

const FORMATS: Record<string, string> = {
  email: "a valid email address",
  url: "a valid URL",
  uri: "a valid URL",
  "uri-reference": "a valid URL",
  uuid: "a valid UUID",
  date: "a date (YYYY-MM-DD)",
  "date-time": "a date and time (e.g. 2026-01-31T12:00:00Z)",
  datetime: "a date and time (e.g. 2026-01-31T12:00:00Z)",
  time: "a time (HH:MM:SS)",
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
  hostname: "a host name",
};

/** "must be a valid email address"; an unknown format: "must be a valid <format>". */
export function mustHaveFormat(format: string): string {
  return `must be ${FORMATS[format] ?? `a valid ${format}`}`;
}

export const mustMatchPattern = (pattern: string) => `must match the pattern ${pattern}`;
export const mustBeMultipleOf = (divisor: number) => `must be a multiple of ${divisor}`;
export const isUnknownKey = "is not a known field";

/** The top-level message of an error from its first problem: "name is required". */
export function summarizeIssue(issue: { path: string; message: string }, more = 0): string {
  const text = issue.path ? `${issue.path} ${issue.message}` : capitalize(issue.message);
  return more > 0 ? `${text} (and ${plural(more, "more problem", "more problems")})` : text;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
