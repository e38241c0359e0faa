import type { FieldDefinition } from "@tenantry/contracts/fields";
import type { FieldModel } from "../shared/FieldInput.js";
import {
  checkValue,
  type FieldMessage,
  fromInput,
  type InputValue,
  kindOf,
  toInput,
} from "../tenant-fields-form/field-model.js";

/**
 * An app's connection parameters as form fields: the app's `parametersSchema` is the same kind of
 * JSON Schema document as the tenant field schema (the server checks both with one validator,
 * `@tenantry/contracts/json-schema-validation`), so the tenant fields form's model turns it into
 * inputs and judges the values, with no second engine.
 */
export type ParameterField = FieldModel;

interface SchemaDocument {
  properties?: Record<string, FieldDefinition>;
  required?: string[];
}

/** What an app without a schema asks for: the credential its auth type implies. */
const DEFAULT_SCHEMAS: Record<"api_key" | "basic", SchemaDocument> = {
  api_key: {
    properties: { apiKey: { type: "string", title: "API key", writeOnly: true } },
    required: ["apiKey"],
  },
  basic: {
    properties: {
      username: { type: "string", title: "Username", "x-order": 1 },
      password: { type: "string", title: "Password", writeOnly: true, "x-order": 2 },
    },
    required: ["username", "password"],
  },
};

export function parameterFieldsOf(
  authType: "api_key" | "basic",
  parametersSchema: Record<string, unknown> | null,
): ParameterField[] {
  const document = (parametersSchema as SchemaDocument | null) ?? DEFAULT_SCHEMAS[authType];
  const properties = document.properties ?? {};
  const required = new Set(document.required ?? []);
  const order = (name: string) => properties[name]?.["x-order"] ?? Number.MAX_SAFE_INTEGER;
  return Object.keys(properties)
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b))
    .map((name) => {
      const definition = properties[name]!;
      return {
        name,
        label: definition.title ?? name,
        description: definition.description ?? null,
        kind: kindOf(definition),
        definition,
        required: required.has(name),
        options: definition.type !== "boolean" && definition.enum ? definition.enum : [],
      };
    });
}

/** The inputs a new connection's form starts with: each field's default, else empty. */
export function initialInputs(fields: ParameterField[]): Record<string, InputValue> {
  return Object.fromEntries(
    fields.map((field) => [
      field.name,
      toInput(field.kind, (field.definition as { default?: unknown }).default),
    ]),
  );
}

/** The parameters to send (empty fields left out) and each field's problem, by the app's schema. */
export function readParameters(
  fields: ParameterField[],
  inputs: Record<string, InputValue>,
): { parameters: Record<string, unknown>; errors: Record<string, FieldMessage> } {
  const parameters: Record<string, unknown> = {};
  const errors: Record<string, FieldMessage> = {};
  for (const field of fields) {
    const value = fromInput(field.definition, field.kind, inputs[field.name] ?? "");
    const problem = checkValue(field.definition, field.required, value);
    if (problem) errors[field.name] = problem;
    // An unchecked box is "false" only when the schema asks for it; otherwise it is left out.
    if (value !== null && !(value === false && !field.required)) parameters[field.name] = value;
  }
  return { parameters, errors };
}
