import { z } from "zod";
import { idPattern } from "./ids.js";
import { jsonObject } from "./json.js";
import { pageInput, pageOutput } from "./page.js";
import { mutation, query } from "./procedures.js";
import { tenantIdSchema } from "./tenants.js";

export const ELEMENT_TYPES = ["action", "flow", "data_source", "field_mapping"] as const;
export const FIELD_MAPPING_DIRECTIONS = ["import", "export", "both"] as const;
export const ELEMENT_SETUP_STATES = ["setting_up", "ready", "setup_failed"] as const;
export type ElementType = (typeof ELEMENT_TYPES)[number];
export type FieldMappingDirection = (typeof FIELD_MAPPING_DIRECTIONS)[number];
export type ElementSetupState = (typeof ELEMENT_SETUP_STATES)[number];

export const elementTypeSchema = z.enum(ELEMENT_TYPES);
export const directionSchema = z.enum(FIELD_MAPPING_DIRECTIONS);
export const templateIdSchema = z.string().regex(idPattern("etpl"), "must be `etpl_` followed by a UUIDv7");
export const instanceIdSchema = z.string().regex(idPattern("elem"), "must be `elem_` followed by a UUIDv7");
const connectionIdSchema = z.string().regex(idPattern("conn"), "must be `conn_` followed by a UUIDv7");
const appIdSchema = z.string().regex(idPattern("app"), "must be `app_` followed by a UUIDv7");
const elementKey = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/,
    "a key starts with a letter: letters, digits, _ . - (at most 100)",
  );
const instanceKey = z
  .string()
  .max(200)
  .describe('Several instances of one template per connection; "" = the one.');
const revision = z.number().int().min(1).max(2_147_483_647);

export const definitionSchema = jsonObject("The element's configuration (JSON).", {
  maxBytes: 256 * 1024,
  maxDepth: 16,
});
export const configSchemaSchema = jsonObject(
  "JSON Schema of the configuration: what a tenant may change, with titles for forms.",
  { maxBytes: 128 * 1024, maxDepth: 32 },
);
const overridesSchema = jsonObject('JSON Pointer (RFC 6901) → value, e.g. `{ "/settings/limit": 50 }`.', {
  maxBytes: 128 * 1024,
  maxDepth: 16,
  maxKeyLength: 1000,
});

const fieldMappingParts = {
  dataSourceKey: elementKey.nullable().optional().describe("Field mappings: the data source they map."),
  direction: directionSchema.nullable().optional().describe("Field mappings: import, export or both."),
};

export const createTemplateInput = z.strictObject({
  type: elementTypeSchema,
  key: elementKey,
  name: z.string().min(1).max(200),
  appId: appIdSchema.nullable().optional().describe("null = works with any app."),
  definition: definitionSchema,
  configSchema: configSchemaSchema
    .optional()
    .describe('Default `{ "type": "object" }`: tenants change nothing.'),
  ...fieldMappingParts,
});

export const updateTemplateInput = z.strictObject({
  id: templateIdSchema,
  revision: revision.describe("The revision you read; 409 version_conflict when the template moved on."),
  name: z.string().min(1).max(200).optional(),
  definition: definitionSchema.optional(),
  configSchema: configSchemaSchema.optional(),
  ...fieldMappingParts,
});

export const templateRefInput = z.strictObject({ id: templateIdSchema });

export const listTemplatesInput = z
  .strictObject({
    ...pageInput,
    type: elementTypeSchema.optional(),
    appId: appIdSchema.optional(),
    includeArchived: z.boolean().default(false),
  })
  .default({ limit: 20, includeArchived: false });

const issueSchema = z.object({ path: z.string(), message: z.string() });

export const templateSchema = z.object({
  id: z.string(),
  type: elementTypeSchema,
  key: z.string(),
  name: z.string(),
  appId: z.string().nullable(),
  definition: z.record(z.string(), z.unknown()),
  configSchema: z.record(z.string(), z.unknown()),
  dataSourceKey: z.string().nullable(),
  direction: directionSchema.nullable(),
  revision: z.number(),
  archived: z.boolean(),
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const templateListSchema = pageOutput(templateSchema);

export const ELEMENT_STATES = ["setting_up", "ready", "configuration_error", "setup_failed"] as const;

export const elementSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  templateId: z.string().nullable().describe("null = the tenant's own element."),
  connectionId: z.string().nullable(),
  instanceKey: z.string(),
  type: elementTypeSchema,
  key: z.string(),
  name: z.string(),
  appId: z.string().nullable(),
  dataSourceKey: z.string().nullable(),
  direction: directionSchema.nullable(),
  config: z.record(z.string(), z.unknown()).describe("The effective configuration: definition + overrides."),
  defaults: z
    .record(z.string(), z.unknown())
    .describe("The template's definition (what a reset returns to)."),
  configSchema: z.record(z.string(), z.unknown()),
  overrides: z.record(z.string(), z.unknown()),
  isCustomized: z.boolean(),
  outdated: z.boolean().describe("The template changed at a path this tenant overrode."),
  outdatedPaths: z.array(z.string()),
  templateRevision: z.number().nullable(),
  mergedRevision: z.number().nullable(),
  revision: z.number().describe("This instance's revision: send it back with a PATCH."),
  state: z.enum(ELEMENT_STATES),
  errors: z.array(issueSchema),
  active: z.boolean().describe("false once it, its template or its connection is archived."),
  archivedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const elementListSchema = pageOutput(elementSchema);

/**
 * What `resolve` answers: the tenant's instance, or — when it has none yet — the template's view of
 * the instance it would get (no overrides, `revision` 1), with `id`, `createdAt` and `updatedAt`
 * null. Reading never creates it; the first change (patch, reset or deploy with the same selector)
 * does.
 */
export const resolvedElementSchema = elementSchema.extend({
  id: z
    .string()
    .nullable()
    .describe(
      "null: the tenant has no instance yet (this is the template's view); the first patch, reset or deploy with the same selector creates it.",
    ),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});

/** Which template instance: by template id, or by type and key (the app follows the connection). */
const selectorParts = {
  tenantId: tenantIdSchema,
  templateId: templateIdSchema.optional(),
  type: elementTypeSchema.optional(),
  key: elementKey.optional(),
  connectionId: connectionIdSchema.optional(),
  instanceKey: instanceKey.default(""),
};

const oneSelector = (input: {
  instanceId?: string | undefined;
  templateId?: string | undefined;
  type?: string | undefined;
  key?: string | undefined;
}) =>
  [Boolean(input.instanceId), Boolean(input.templateId), Boolean(input.type && input.key)].filter(Boolean)
    .length === 1;

const oneSelectorMessage = { message: "give one of instanceId, templateId, or type and key" };

/** By instance id (a plain get), or by template: the instance, or the template's view until it exists. */
export const resolveElementInput = z
  .strictObject({ ...selectorParts, instanceId: instanceIdSchema.optional() })
  .refine(oneSelector, oneSelectorMessage);

/** By instance id, or by template: the template's instance is created first when there is none. */
export const deployElementInput = resolveElementInput;

export const elementRefInput = z.strictObject({ tenantId: tenantIdSchema, instanceId: instanceIdSchema });

export const listElementsInput = z.strictObject({
  ...pageInput,
  tenantId: tenantIdSchema,
  connectionId: connectionIdSchema.optional(),
  templateId: templateIdSchema.optional(),
  type: elementTypeSchema.optional(),
  includeArchived: z.boolean().default(false),
});

/**
 * A change names the instance by id, or (tRPC; over REST the path names the instance) by the
 * template selector `resolve` took: the tenant's instance is created in the change's transaction
 * when it has none yet, so a change that fails creates nothing.
 */
const changeTarget = {
  ...selectorParts,
  instanceId: instanceIdSchema
    .optional()
    .describe("The instance; or select the template's instance (created by this change if needed)."),
};

export const patchElementInput = z
  .strictObject({
    ...changeTarget,
    revision: revision.describe(
      "The revision you read (1 for an instance not created yet); 409 version_conflict when it moved on.",
    ),
    overrides: overridesSchema.describe("Paths to set (JSON Pointer → value); other overrides stay."),
  })
  .refine(oneSelector, oneSelectorMessage);

export const resetElementInput = z
  .strictObject({
    ...changeTarget,
    revision: revision.optional(),
    paths: z.array(z.string().max(1000)).max(500).optional().describe("Omitted: every override."),
  })
  .refine(oneSelector, oneSelectorMessage);

export const createOwnElementInput = z.strictObject({
  tenantId: tenantIdSchema,
  type: elementTypeSchema,
  key: elementKey,
  name: z.string().min(1).max(200),
  appId: appIdSchema.nullable().optional(),
  connectionId: connectionIdSchema.optional(),
  instanceKey: instanceKey.default(""),
  definition: definitionSchema,
  configSchema: configSchemaSchema.optional(),
  ...fieldMappingParts,
});

/** A field of a field mapping's data source: what the editor offers on the external side. */
export const externalFieldSchema = z.object({ key: z.string(), title: z.string().nullable() });
/** null: no data source found for the element. */
export const externalFieldsOutput = z.object({ items: z.array(externalFieldSchema).nullable() });

export type Template = z.infer<typeof templateSchema>;
export type TemplateList = z.infer<typeof templateListSchema>;
export type ListTemplatesInput = z.infer<typeof listTemplatesInput>;
export type TemplateRefInput = z.infer<typeof templateRefInput>;
export type ElementList = z.infer<typeof elementListSchema>;
export type ListElementsInput = z.infer<typeof listElementsInput>;
export type ElementRefInput = z.infer<typeof elementRefInput>;
export type ExternalField = z.infer<typeof externalFieldSchema>;
export type ExternalFields = z.infer<typeof externalFieldsOutput>;
export type Element = z.infer<typeof elementSchema>;
export type ResolvedElement = z.infer<typeof resolvedElementSchema>;
export type ElementState = (typeof ELEMENT_STATES)[number];
export type CreateTemplateInput = z.infer<typeof createTemplateInput>;
export type UpdateTemplateInput = z.infer<typeof updateTemplateInput>;
export type ResolveElementInput = z.infer<typeof resolveElementInput>;
export type DeployElementInput = z.infer<typeof deployElementInput>;
export type PatchElementInput = z.infer<typeof patchElementInput>;
export type ResetElementInput = z.infer<typeof resetElementInput>;
export type CreateOwnElementInput = z.infer<typeof createOwnElementInput>;

export const elementTemplatesContract = {
  create: mutation({ input: createTemplateInput, output: templateSchema }),
  list: query({ input: listTemplatesInput, output: templateListSchema }),
  get: query({ input: templateRefInput, output: templateSchema }),
  update: mutation({ input: updateTemplateInput, output: templateSchema }),
  archive: mutation({ input: templateRefInput, output: templateSchema }),
};

export const elementsContract = {
  list: query({ input: listElementsInput, output: elementListSchema }),
  resolve: query({ input: resolveElementInput, output: resolvedElementSchema }),
  create: mutation({ input: createOwnElementInput, output: elementSchema }),
  deploy: mutation({ input: deployElementInput, output: elementSchema }),
  get: query({ input: elementRefInput, output: elementSchema }),
  patch: mutation({ input: patchElementInput, output: elementSchema }),
  reset: mutation({ input: resetElementInput, output: elementSchema }),
  archive: mutation({ input: elementRefInput, output: elementSchema }),
  externalFields: query({ input: elementRefInput, output: externalFieldsOutput }),
};
