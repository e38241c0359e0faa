import type {
  CreateTemplateInput,
  ListTemplatesInput,
  Template,
  TemplateList,
  TemplateRefInput,
  UpdateTemplateInput,
} from "@tenantry/contracts/elements";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { elementTemplates } from "@tenantry/db/schema/elements";
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { loadAppRow } from "../apps/service";
import { decodeCursor, pageOf } from "../shared/cursor";
import { appError, type InputIssue, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { checkConfigSchema, type JsonMap, validateConfig, validatorFor } from "./config";

export type TemplateRow = typeof elementTemplates.$inferSelect;

export const EMPTY_CONFIG_SCHEMA: JsonMap = { type: "object" };

export function toTemplate(row: TemplateRow): Template {
  return {
    id: row.id,
    type: row.type,
    key: row.key,
    name: row.name,
    appId: row.appId,
    definition: row.definition,
    configSchema: row.configSchema,
    dataSourceKey: row.dataSourceKey,
    direction: row.direction,
    revision: row.revision,
    archived: row.archivedAt !== null,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function badRequest(
  code: "invalid_config_schema" | "invalid_configuration",
  what: string,
  issues: InputIssue[],
) {
  const first = issues[0]!;
  return appError("BAD_REQUEST", code, `${what}: ${first.path} ${first.message}`, { issues });
}

/** The schema is well formed and the definition fits it; 400 naming every problem otherwise. */
export function checkDefinition(
  definition: JsonMap,
  configSchema: JsonMap,
  options: { allowPattern: boolean } = { allowPattern: true },
): void {
  const schemaIssues = checkConfigSchema(configSchema);
  if (!options.allowPattern && JSON.stringify(configSchema).includes('"pattern"')) {
    schemaIssues.push({ path: "/", message: "an access token's config schema may not use pattern" });
  }
  if (schemaIssues.length > 0)
    throw badRequest("invalid_config_schema", "The config schema is not valid", schemaIssues);
  let issues: InputIssue[];
  try {
    issues = validateConfig(validatorFor(null, configSchema), definition);
  } catch (error) {
    throw badRequest("invalid_config_schema", "The config schema is not valid", [
      { path: "/", message: (error as Error).message },
    ]);
  }
  if (issues.length > 0)
    throw badRequest("invalid_configuration", "The definition does not fit the config schema", issues);
}

/** Field mappings say what they map and which way; other types carry neither. */
export function fieldMappingParts(
  type: string,
  input: { dataSourceKey?: string | null | undefined; direction?: string | null | undefined },
): { dataSourceKey: string | null; direction: "import" | "export" | "both" | null } {
  if (type !== "field_mapping") {
    if (input.dataSourceKey || input.direction) {
      throw appError(
        "BAD_REQUEST",
        "invalid_input",
        "dataSourceKey and direction belong to field mappings only",
      );
    }
    return { dataSourceKey: null, direction: null };
  }
  if (!input.dataSourceKey)
    throw appError("BAD_REQUEST", "invalid_input", "a field mapping names its dataSourceKey");
  return {
    dataSourceKey: input.dataSourceKey,
    direction: (input.direction as "import" | "export" | "both") ?? "both",
  };
}

const keyTaken = (input: { type: string; key: string }) =>
  appError(
    "CONFLICT",
    "element_key_taken",
    `A ${input.type} template with the key "${input.key}" exists for this app`,
    {
      type: input.type,
      key: input.key,
    },
  );

export async function createTemplate(ctx: ServiceContext, input: CreateTemplateInput): Promise<Template> {
  const workspaceId = ctx.actor.workspaceId;
  const configSchema = input.configSchema ?? EMPTY_CONFIG_SCHEMA;
  checkDefinition(input.definition, configSchema);
  const parts = fieldMappingParts(input.type, input);
  if (input.appId) await loadAppRow(ctx.db, workspaceId, input.appId);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(elementTemplates)
      .values({
        workspaceId,
        id: newId("etpl"),
        type: input.type,
        key: input.key,
        name: input.name,
        appId: input.appId ?? null,
        definition: input.definition,
        configSchema,
        ...parts,
        createdAt: ctx.clock.now(),
        updatedAt: ctx.clock.now(),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw keyTaken(input);
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "element_template.created",
      targetType: "element_template",
      targetId: row.id,
      after: { type: row.type, key: row.key, name: row.name, appId: row.appId, revision: row.revision },
    });
    return toTemplate(row);
  });
}

export async function loadTemplateRow(db: Executor, workspaceId: string, id: string): Promise<TemplateRow> {
  const [row] = await db
    .select()
    .from(elementTemplates)
    .where(and(eq(elementTemplates.workspaceId, workspaceId), eq(elementTemplates.id, id)));
  if (!row) throw notFound("Element template", id);
  return row;
}

export async function getTemplate(ctx: ServiceContext, input: TemplateRefInput): Promise<Template> {
  return toTemplate(await loadTemplateRow(ctx.db, ctx.actor.workspaceId, input.id));
}

export async function listTemplates(ctx: ServiceContext, input: ListTemplatesInput): Promise<TemplateList> {
  const conditions = [eq(elementTemplates.workspaceId, ctx.actor.workspaceId)];
  if (input.type) conditions.push(eq(elementTemplates.type, input.type as TemplateRow["type"]));
  if (input.appId) conditions.push(eq(elementTemplates.appId, input.appId));
  if (!input.includeArchived) conditions.push(isNull(elementTemplates.archivedAt));
  if (input.cursor) conditions.push(lt(elementTemplates.id, decodeCursor(input.cursor)));
  const rows = await ctx.db
    .select()
    .from(elementTemplates)
    .where(and(...conditions))
    .orderBy(desc(elementTemplates.id))
    .limit(input.limit + 1);
  return pageOf(rows.map(toTemplate), input.limit);
}

function versionConflict(what: string, currentRevision: number) {
  return appError(
    "CONFLICT",
    "version_conflict",
    `${what} changed since you read it (now revision ${currentRevision})`,
    {
      currentRevision,
    },
  );
}

function archived(what: string) {
  return appError("CONFLICT", "element_archived", `${what} is archived`);
}

/**
 * A new revision of the template. Instances are not touched: they keep only overrides, so every
 * path no tenant overrode follows at once. The row lock orders this against tenants' patches,
 * which read the template FOR SHARE and so validate against whichever revision committed last.
 */
export async function updateTemplate(ctx: ServiceContext, input: UpdateTemplateInput): Promise<Template> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(elementTemplates)
      .where(and(eq(elementTemplates.workspaceId, workspaceId), eq(elementTemplates.id, input.id)))
      .for("update");
    if (!before) throw notFound("Element template", input.id);
    if (before.archivedAt) throw archived("The template");
    if (before.revision !== input.revision) throw versionConflict("The template", before.revision);
    const definition = input.definition ?? before.definition;
    const configSchema = input.configSchema ?? before.configSchema;
    checkDefinition(definition, configSchema);
    const parts = fieldMappingParts(before.type, {
      dataSourceKey: input.dataSourceKey === undefined ? before.dataSourceKey : input.dataSourceKey,
      direction: input.direction === undefined ? before.direction : input.direction,
    });
    const next = { name: input.name ?? before.name, definition, configSchema, ...parts };
    const changed = (Object.keys(next) as (keyof typeof next)[]).some(
      (k) => JSON.stringify(next[k]) !== JSON.stringify(before[k]),
    );
    if (!changed) return toTemplate(before);
    const [row] = await tx
      .update(elementTemplates)
      .set({ ...next, revision: before.revision + 1, updatedAt: ctx.clock.now() })
      .where(and(eq(elementTemplates.workspaceId, workspaceId), eq(elementTemplates.id, input.id)))
      .returning();
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "element_template.updated",
      targetType: "element_template",
      targetId: input.id,
      before: { ...pick(before, next), revision: before.revision },
      after: { ...next, revision: row!.revision },
    });
    return toTemplate(row!);
  });
}

const pick = (row: TemplateRow, shape: object) =>
  Object.fromEntries(Object.keys(shape).map((k) => [k, row[k as keyof TemplateRow]]));

/** Archived, never deleted: its instances become inactive (read-only) and keep their overrides. */
export async function archiveTemplate(ctx: ServiceContext, input: TemplateRefInput): Promise<Template> {
  const workspaceId = ctx.actor.workspaceId;
  const id = input.id;
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(elementTemplates)
      .where(and(eq(elementTemplates.workspaceId, workspaceId), eq(elementTemplates.id, id)))
      .for("update");
    if (!before) throw notFound("Element template", id);
    if (before.archivedAt) return toTemplate(before);
    const now = ctx.clock.now();
    const [row] = await tx
      .update(elementTemplates)
      .set({ archivedAt: now, revision: before.revision + 1, updatedAt: now })
      .where(and(eq(elementTemplates.workspaceId, workspaceId), eq(elementTemplates.id, id)))
      .returning();
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "element_template.archived",
      targetType: "element_template",
      targetId: id,
      before: { archived: false },
      after: { archived: true },
    });
    return toTemplate(row!);
  });
}

export { archived as elementArchived, versionConflict };
