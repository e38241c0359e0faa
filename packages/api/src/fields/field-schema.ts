import {
  FIELD_NAME,
  type FieldSchemaDocument,
  fieldSchemaDocument,
  MAX_FIELDS,
} from "@tenantry/contracts/fields";
import { type CompiledJsonSchema, compileJsonSchema } from "@tenantry/contracts/json-schema-validation";
import { appError, type InputIssue } from "../shared/errors";

export interface CompiledFieldSchema {
  document: FieldSchemaDocument;
  secretFields: ReadonlySet<string>;
  /** Fields in display order: `x-order`, then name. */
  orderedFields: string[];
  /** One per field, from the shared validator the widgets judge the same values with. */
  validators: ReadonlyMap<string, CompiledJsonSchema>;
}

/** Checks a schema a client sent and compiles it; 400 with every problem named otherwise. */
export function compileFieldSchema(input: unknown): CompiledFieldSchema {
  // zod's record would drop a `__proto__` property silently; refuse it before parsing.
  const rawProperties = (input as { properties?: unknown } | null)?.properties;
  if (rawProperties && typeof rawProperties === "object") {
    const bad = Object.keys(rawProperties).find((name) => !FIELD_NAME.test(name));
    if (bad !== undefined) {
      throw invalidSchema([
        {
          path: `properties.${bad}`,
          message: "field names start with a letter and hold letters, digits and _ (at most 64)",
        },
      ]);
    }
  }
  const parsed = fieldSchemaDocument.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
    }));
    throw invalidSchema(issues);
  }
  const document = parsed.data;
  const issues: InputIssue[] = [];
  const names = Object.keys(document.properties);
  if (names.length > MAX_FIELDS) issues.push({ path: "properties", message: `at most ${MAX_FIELDS} fields` });
  for (const name of names) {
    if (name === "constructor" || name === "prototype") {
      issues.push({ path: `properties.${name}`, message: "this field name is reserved" });
    }
  }
  for (const name of document.required) {
    if (!(name in document.properties))
      issues.push({ path: "required", message: `"${name}" is not a property` });
  }
  const validators = new Map<string, CompiledJsonSchema>();
  for (const [name, definition] of Object.entries(document.properties)) {
    try {
      const validator = compileJsonSchema(definition);
      validators.set(name, validator);
      const fitsDefault = definition.default === undefined ? null : validator.validate(definition.default);
      if (fitsDefault && !fitsDefault.valid) {
        issues.push({
          path: `properties.${name}.default`,
          message: `does not fit the field: ${fitsDefault.message}`,
        });
      }
      if (definition.type === "string" && definition.writeOnly && definition.default !== undefined) {
        issues.push({ path: `properties.${name}.default`, message: "a secret field cannot have a default" });
      }
    } catch (error) {
      issues.push({
        path: `properties.${name}`,
        message: `is not valid JSON Schema: ${(error as Error).message}`,
      });
    }
  }
  if (issues.length > 0) throw invalidSchema(issues);
  return {
    document,
    secretFields: new Set(
      names.filter(
        (n) =>
          document.properties[n]?.type === "string" &&
          (document.properties[n] as { writeOnly?: boolean }).writeOnly,
      ),
    ),
    orderedFields: names.sort((a, b) => {
      const oa = document.properties[a]?.["x-order"] ?? Number.MAX_SAFE_INTEGER;
      const ob = document.properties[b]?.["x-order"] ?? Number.MAX_SAFE_INTEGER;
      return oa - ob || a.localeCompare(b);
    }),
    validators,
  };
}

function invalidSchema(issues: InputIssue[]) {
  const first = issues[0]!;
  return appError(
    "BAD_REQUEST",
    "invalid_field_schema",
    `The field schema is not valid: ${first.path}: ${first.message}`,
    {
      issues,
    },
  );
}

export const REQUIRED_MESSAGE = "is required";

/**
 * Checks values against the schema. Only `checkedKeys` are judged (a write judges what it writes;
 * a read judges everything), keys the schema does not name are kept as they are. An empty required
 * field is an issue only where `mustBePresent` says so: a write may leave a field missing that was
 * missing already, but never empty one that held a value.
 */
export function checkFieldValues(
  compiled: CompiledFieldSchema,
  values: Record<string, unknown>,
  checkedKeys: Iterable<string>,
  mustBePresent: (key: string) => boolean = () => true,
): InputIssue[] {
  const issues: InputIssue[] = [];
  const required = new Set(compiled.document.required);
  for (const key of checkedKeys) {
    const validator = compiled.validators.get(key);
    if (!validator) continue;
    const value = values[key];
    if (value === undefined || value === null) {
      if (required.has(key) && mustBePresent(key))
        issues.push({ path: `fields.${key}`, message: REQUIRED_MESSAGE });
      continue;
    }
    const result = validator.validate(value);
    if (!result.valid) issues.push({ path: `fields.${key}`, message: result.message });
  }
  return issues;
}

/** Schema defaults for fields the values do not have (used when a tenant is created). */
export function withDefaults(
  compiled: CompiledFieldSchema,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const result = { ...values };
  for (const [name, definition] of Object.entries(compiled.document.properties)) {
    if (result[name] === undefined && definition.default !== undefined) result[name] = definition.default;
  }
  return result;
}
