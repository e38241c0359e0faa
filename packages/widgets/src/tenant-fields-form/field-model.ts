import type { FieldDefinition } from "@tenantry/contracts/fields";
import type { CompiledJsonSchema, JsonSchemaResult } from "@tenantry/contracts/json-schema-validation";
import type { MessageKey } from "../i18n/messages.js";

/** How a field of the schema is edited. */
export type FieldKind =
  | "text"
  | "email"
  | "url"
  | "number"
  | "integer"
  | "boolean"
  | "select"
  | "date"
  | "datetime"
  | "secret";

/** What an input holds: text for text-like and number inputs (kept as typed), a flag for booleans. */
export type InputValue = string | boolean;

export interface FieldMessage {
  key: MessageKey;
  params?: Record<string, string | number>;
}

export function kindOf(definition: FieldDefinition): FieldKind {
  if (definition.type === "boolean") return "boolean";
  if (definition.enum) return "select";
  if (definition.type === "number" || definition.type === "integer") return definition.type;
  if (definition.type !== "string") return "text";
  if (definition.writeOnly) return "secret";
  switch (definition.format) {
    case "email":
      return "email";
    case "uri":
      return "url";
    case "date":
      return "date";
    case "date-time":
      return "datetime";
    default:
      return "text";
  }
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A stored value as its input shows it. */
export function toInput(kind: FieldKind, value: unknown): InputValue {
  if (kind === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (kind === "datetime" && typeof value === "string") {
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return value;
    // <input type="datetime-local"> shows and edits local time.
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }
  return String(value);
}

/** What an input holds as the JSON value to store: null removes it, NaN marks a number that is not one. */
export function fromInput(definition: FieldDefinition, kind: FieldKind, input: InputValue): unknown {
  if (typeof input === "boolean") return input;
  const text = kind === "text" || kind === "secret" ? input : input.trim();
  if (text === "") return null;
  if (kind === "number" || kind === "integer") return Number(text);
  if (kind === "select" && definition.type !== "string") return Number(text);
  if (kind === "datetime") {
    const date = new Date(text);
    return Number.isNaN(date.getTime()) ? text : date.toISOString();
  }
  return text;
}

type ValidatorModule = typeof import("@tenantry/contracts/json-schema-validation");
let validatorModule: ValidatorModule | null = null;

/**
 * The JSON Schema validator — the very module the server judges fields with — is its own chunk (a
 * quarter of the widgets' weight), loaded when a form mounts. Until it is in, only required and
 * number checks run here; the server checks everything.
 */
export function loadValidator(): Promise<true> {
  return import("@tenantry/contracts/json-schema-validation").then((module) => {
    validatorModule = module;
    return true;
  });
}

const validators = new WeakMap<FieldDefinition, CompiledJsonSchema>();

/** One field's value judged by its definition, exactly as the server does; null until the validator is in. */
export function judgeBySchema(definition: FieldDefinition, value: unknown): JsonSchemaResult | null {
  if (!validatorModule) return null;
  let validator = validators.get(definition);
  if (!validator) {
    validator = validatorModule.compileJsonSchema(definition);
    validators.set(definition, validator);
  }
  return validator.validate(value);
}

const FORMAT_MESSAGES: Record<string, MessageKey> = {
  email: "validation.email",
  uri: "validation.uri",
  date: "validation.date",
  "date-time": "validation.dateTime",
};

const LIMIT_KEYWORDS = new Set([
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
]);

/**
 * Judges one value by the same JSON Schema the server checks it with (the server stays the
 * authority: its answer is shown on the field too). Null means the field is left empty.
 */
export function checkValue(
  definition: FieldDefinition,
  required: boolean,
  value: unknown,
): FieldMessage | null {
  if (value === null || value === undefined) return required ? { key: "validation.required" } : null;
  if (typeof value === "number" && Number.isNaN(value)) {
    return { key: definition.type === "integer" ? "validation.integer" : "validation.number" };
  }
  const result = judgeBySchema(definition, value);
  if (!result || result.valid) return null;
  // The form shows one message per field, in the user's language: the first problem's.
  const keyword = result.problems[0]?.keyword ?? "";
  if (keyword === "format" && definition.type === "string" && definition.format) {
    return { key: FORMAT_MESSAGES[definition.format] ?? "validation.invalid" };
  }
  if (keyword === "type" && (definition.type === "integer" || definition.type === "number")) {
    return { key: definition.type === "integer" ? "validation.integer" : "validation.number" };
  }
  if (LIMIT_KEYWORDS.has(keyword)) {
    const limit = (definition as Record<string, unknown>)[keyword];
    return { key: `validation.${keyword}` as MessageKey, params: { limit: Number(limit) } };
  }
  if (keyword === "pattern") return { key: "validation.pattern" };
  if (keyword === "enum") return { key: "validation.enum" };
  return { key: "validation.invalid" };
}
