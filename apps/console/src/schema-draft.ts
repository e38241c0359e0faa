/**
 * The schema editor's model: a list of fields as an operator thinks of them, and the JSON Schema
 * document the API stores. Both directions, so the list and the JSON view stay in sync.
 */
export const FIELD_TYPES = [
  "text",
  "number",
  "integer",
  "boolean",
  "select",
  "date",
  "email",
  "url",
  "secret",
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDraft {
  name: string;
  type: FieldType;
  title: string;
  description: string;
  required: boolean;
  /** As typed; converted to the field's type in the document. */
  defaultValue: string;
  /** Select options, one per line. */
  options: string;
  /** Numbers: minimum / maximum. Text: min / max length. */
  min: string;
  max: string;
}

type JsonSchemaField = Record<string, unknown>;
export interface SchemaDocument {
  type: "object";
  properties: Record<string, JsonSchemaField>;
  required: string[];
}

export const EMPTY_DRAFT: FieldDraft = {
  name: "",
  type: "text",
  title: "",
  description: "",
  required: false,
  defaultValue: "",
  options: "",
  min: "",
  max: "",
};

const num = (text: string) => (text.trim() === "" || Number.isNaN(Number(text)) ? undefined : Number(text));

export function toDocument(drafts: FieldDraft[]): SchemaDocument {
  const properties: Record<string, JsonSchemaField> = {};
  drafts.forEach((draft, index) => {
    const field: JsonSchemaField = {};
    const numeric = draft.type === "number" || draft.type === "integer";
    if (numeric) field.type = draft.type;
    else if (draft.type === "boolean") field.type = "boolean";
    else field.type = "string";
    if (draft.type === "email") field.format = "email";
    if (draft.type === "url") field.format = "uri";
    if (draft.type === "date") field.format = "date";
    if (draft.type === "secret") field.writeOnly = true;
    if (draft.type === "select") {
      field.enum = draft.options
        .split("\n")
        .map((option) => option.trim())
        .filter(Boolean);
    }
    if (draft.title.trim()) field.title = draft.title.trim();
    if (draft.description.trim()) field.description = draft.description.trim();
    const min = num(draft.min);
    const max = num(draft.max);
    if (numeric) {
      if (min !== undefined) field.minimum = min;
      if (max !== undefined) field.maximum = max;
    } else if (draft.type === "text") {
      if (min !== undefined) field.minLength = min;
      if (max !== undefined) field.maxLength = max;
    }
    if (draft.defaultValue.trim() !== "" && draft.type !== "secret") {
      if (numeric) field.default = num(draft.defaultValue);
      else if (draft.type === "boolean") field.default = draft.defaultValue.trim() === "true";
      else field.default = draft.defaultValue;
    }
    field["x-order"] = index + 1;
    properties[draft.name] = field;
  });
  return {
    type: "object",
    properties,
    required: drafts.filter((draft) => draft.required).map((draft) => draft.name),
  };
}

/** Fields in display order: `x-order`, then name (as the API orders them). */
export function fromDocument(document: SchemaDocument): FieldDraft[] {
  const required = new Set(document.required ?? []);
  return Object.entries(document.properties ?? {})
    .sort(([a, fa], [b, fb]) => {
      const oa = typeof fa["x-order"] === "number" ? (fa["x-order"] as number) : Number.MAX_SAFE_INTEGER;
      const ob = typeof fb["x-order"] === "number" ? (fb["x-order"] as number) : Number.MAX_SAFE_INTEGER;
      return oa - ob || a.localeCompare(b);
    })
    .map(([name, field]) => {
      const type: FieldType =
        field.type === "number" || field.type === "integer"
          ? field.type
          : field.type === "boolean"
            ? "boolean"
            : field.writeOnly
              ? "secret"
              : Array.isArray(field.enum)
                ? "select"
                : field.format === "email"
                  ? "email"
                  : field.format === "uri"
                    ? "url"
                    : field.format === "date"
                      ? "date"
                      : "text";
      const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));
      return {
        name,
        type,
        title: text(field.title),
        description: text(field.description),
        required: required.has(name),
        defaultValue: text(field.default),
        options: Array.isArray(field.enum) ? field.enum.join("\n") : "",
        min: text(field.minimum ?? field.minLength),
        max: text(field.maximum ?? field.maxLength),
      };
    });
}

export function orderOf(document: SchemaDocument): string[] {
  return fromDocument(document).map((draft) => draft.name);
}
