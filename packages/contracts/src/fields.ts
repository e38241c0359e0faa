import { z } from "zod";
import { jsonObject } from "./json.js";
import { mutation, query } from "./procedures.js";
import { fieldsStatusSchema, tenantIdSchema } from "./tenants.js";

/**
 * The tenant field schema: a JSON Schema object whose properties are the fields a host defines.
 * Supported per field: string (formats email, uri, date, date-time; pattern, lengths), number and
 * integer (bounds), boolean, enum (a select), with title, description, default, `x-order` (display
 * order; jsonb does not keep key order) and `writeOnly: true` for secret fields (sealed, never read).
 */

export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const MAX_FIELDS = 200;

const common = {
  title: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  "x-order": z.number().int().min(0).max(10_000).optional(),
};

const stringField = z.strictObject({
  ...common,
  type: z.literal("string"),
  format: z.enum(["email", "uri", "date", "date-time"]).optional(),
  enum: z.array(z.string().max(500)).min(1).max(500).optional(),
  minLength: z.number().int().min(0).optional(),
  maxLength: z.number().int().min(0).max(100_000).optional(),
  pattern: z.string().max(1000).optional(),
  default: z.string().optional(),
  writeOnly: z.boolean().optional(),
});

const numberField = z.strictObject({
  ...common,
  type: z.enum(["number", "integer"]),
  enum: z.array(z.number()).min(1).max(500).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  exclusiveMinimum: z.number().optional(),
  exclusiveMaximum: z.number().optional(),
  multipleOf: z.number().positive().optional(),
  default: z.number().optional(),
});

const booleanField = z.strictObject({
  ...common,
  type: z.literal("boolean"),
  default: z.boolean().optional(),
});

export const fieldDefinitionSchema = z.discriminatedUnion("type", [stringField, numberField, booleanField]);

export const fieldSchemaDocument = z
  .strictObject({
    $schema: z.string().optional(),
    type: z.literal("object"),
    properties: z.record(z.string(), fieldDefinitionSchema).default({}),
    required: z.array(z.string()).default([]),
  })
  .meta({ description: 'A JSON Schema object: `{ type: "object", properties, required }`.' });

export type FieldDefinition = z.infer<typeof fieldDefinitionSchema>;
export type FieldSchemaDocument = z.infer<typeof fieldSchemaDocument>;

export const EMPTY_FIELD_SCHEMA: FieldSchemaDocument = { type: "object", properties: {}, required: [] };

export const fieldSchemaOutput = z.object({
  schema: fieldSchemaDocument,
  version: z.number().describe("0 until a schema is saved; moves on every change."),
  updatedAt: z.string().nullable(),
  /** Field names in display order (`x-order`, then name). */
  order: z.array(z.string()),
});

export const issueSchema = z.object({ path: z.string(), message: z.string() });

export const tenantFieldsOutput = z.object({
  tenantId: z.string(),
  /** Plain values, including keys the schema does not name. Secret values are never here. */
  values: z.record(z.string(), z.unknown()),
  secretFieldsSet: z.array(z.string()),
  /** Stored values that no longer fit the current schema, and required fields without a value. */
  issues: z.array(issueSchema),
  /** The same as `issues`, as every tenant answer carries it. */
  fieldsStatus: fieldsStatusSchema,
  schema: fieldSchemaOutput,
  tenantVersion: z.number(),
});

export const putFieldSchemaInput = z
  .object({ schema: z.unknown() })
  .meta({ description: '`{ schema: { type: "object", properties, required } }`' });
export const putFieldSchemaOutput = z.object({
  schema: fieldSchemaDocument,
  version: z.number(),
  updatedAt: z.string(),
  tenantsNotFitting: z.number(),
});
export const tenantFieldsInput = z.strictObject({ tenantId: tenantIdSchema });

export type FieldSchemaOutput = z.infer<typeof fieldSchemaOutput>;
export type PutFieldSchemaInput = z.infer<typeof putFieldSchemaInput>;
export type PutFieldSchemaOutput = z.infer<typeof putFieldSchemaOutput>;
export type TenantFieldsInput = z.infer<typeof tenantFieldsInput>;
export type TenantFields = z.infer<typeof tenantFieldsOutput>;

export const fieldsContract = {
  getSchema: query({ input: z.strictObject({}).optional(), output: fieldSchemaOutput }),
  putSchema: mutation({ input: putFieldSchemaInput, output: putFieldSchemaOutput }),
  getForTenant: query({ input: tenantFieldsInput, output: tenantFieldsOutput }),
  status: query({ input: z.strictObject({ tenantId: tenantIdSchema }), output: fieldsStatusSchema }),
  patchForTenant: mutation({
    input: z.strictObject({
      tenantId: tenantIdSchema,
      fields: jsonObject("Field values to set; null removes one.", { maxBytes: 64 * 1024 }),
      expectedVersion: z.number().int().min(1).optional(),
    }),
    output: tenantFieldsOutput,
  }),
};
