import type {
  CreateOwnElementInput,
  DeployElementInput,
  Element,
  PatchElementInput,
  ResetElementInput,
  ResolvedElement,
  ResolveElementInput,
} from "@tenantry/contracts/elements";
import type { Database, Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { connections } from "@tenantry/db/schema/connections";
import { elementInstances, elementTemplates } from "@tenantry/db/schema/elements";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { Actor } from "../actor";
import { decodeCursor, pageOf } from "../shared/cursor";
import { appError, type InputIssue, notFound } from "../shared/errors";
import { isTransaction, prepared } from "../shared/prepared";
import { assertTenantExists, type ServiceContext } from "../tenants/service";
import {
  baseValues,
  checkOverridePaths,
  isSameOrBelow,
  type JsonMap,
  mergeOverrides,
  outdatedPaths,
  parsePointer,
  validateConfig,
  validatorFor,
  valueAt,
} from "./config";
import {
  checkDefinition,
  EMPTY_CONFIG_SCHEMA,
  elementArchived,
  fieldMappingParts,
  type TemplateRow,
  versionConflict,
} from "./templates";

type InstanceRow = typeof elementInstances.$inferSelect;
type ElementContext = Pick<ServiceContext, "db" | "actor" | "requestId">;
interface Joined {
  instance: InstanceRow;
  template: TemplateRow | null;
}
interface ConnectionRef {
  id: string;
  tenantId: string;
  appId: string;
  status: string;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * An instance as clients see it: the effective configuration (template definition + overrides),
 * validated against the config schema on every read, so a template change that breaks a tenant's
 * override shows as `configuration_error` at once rather than when something runs it.
 */
export function toElement(instance: InstanceRow, template: TemplateRow | null): Element {
  const owned = template === null;
  const defaults = owned ? instance.definition! : template.definition;
  const configSchema = owned ? (instance.configSchema ?? EMPTY_CONFIG_SCHEMA) : template.configSchema;
  const overrides = owned ? {} : instance.overrides;
  const hasOverrides = Object.keys(overrides).length > 0;
  const config = hasOverrides ? mergeOverrides(clone(defaults), overrides) : defaults;
  const cacheKey = owned
    ? `own:${instance.workspaceId}:${instance.id}`
    : `${template.workspaceId}:${template.id}:${template.revision}`;
  const configErrors = hasOverrides ? checkOverridePaths(configSchema, Object.keys(overrides)) : [];
  configErrors.push(...validateConfig(validatorFor(cacheKey, configSchema), config));
  const outdated = hasOverrides ? outdatedPaths(defaults, overrides, instance.overrideBases) : [];
  return {
    id: instance.id,
    tenantId: instance.tenantId,
    templateId: instance.templateId,
    connectionId: instance.connectionId,
    instanceKey: instance.instanceKey,
    type: instance.type,
    key: instance.key,
    name: owned ? (instance.name ?? instance.key) : template.name,
    appId: owned ? instance.appId : template.appId,
    dataSourceKey: owned ? instance.dataSourceKey : template.dataSourceKey,
    direction: owned ? instance.direction : template.direction,
    config,
    defaults,
    configSchema,
    overrides,
    isCustomized: hasOverrides,
    outdated: outdated.length > 0,
    outdatedPaths: outdated,
    templateRevision: owned ? null : template.revision,
    mergedRevision: owned ? null : instance.mergedRevision,
    revision: instance.revision,
    state: configErrors.length > 0 ? "configuration_error" : instance.setupState,
    errors: configErrors.length > 0 ? configErrors : instance.setupErrors,
    active: instance.archivedAt === null && (owned || template.archivedAt === null),
    archivedAt: (instance.archivedAt ?? template?.archivedAt)?.toISOString() ?? null,
    createdAt: instance.createdAt.toISOString(),
    updatedAt: instance.updatedAt.toISOString(),
  };
}

// --- Reads on the hot path: prepared statements, one round trip. -----------------------------------

const joinedColumns = { instance: elementInstances, template: elementTemplates };
const templateJoin = and(
  eq(elementTemplates.workspaceId, elementInstances.workspaceId),
  eq(elementTemplates.id, elementInstances.templateId),
);

function byIdStatement(db: Database) {
  return prepared(db, "element_by_id", (d) =>
    d
      .select(joinedColumns)
      .from(elementInstances)
      .leftJoin(elementTemplates, templateJoin)
      .where(
        and(
          eq(elementInstances.workspaceId, sql.placeholder("workspaceId")),
          eq(elementInstances.tenantId, sql.placeholder("tenantId")),
          eq(elementInstances.id, sql.placeholder("id")),
        ),
      )
      .prepare("element_by_id"),
  );
}

function byTemplateStatement(db: Database, withConnection: boolean) {
  const name = withConnection ? "element_by_template_connection" : "element_by_template";
  return prepared(db, name, (d) =>
    d
      .select(joinedColumns)
      .from(elementInstances)
      .leftJoin(elementTemplates, templateJoin)
      .where(
        and(
          eq(elementInstances.workspaceId, sql.placeholder("workspaceId")),
          eq(elementInstances.tenantId, sql.placeholder("tenantId")),
          eq(elementInstances.templateId, sql.placeholder("templateId")),
          withConnection
            ? eq(elementInstances.connectionId, sql.placeholder("connectionId"))
            : isNull(elementInstances.connectionId),
          eq(elementInstances.instanceKey, sql.placeholder("instanceKey")),
        ),
      )
      .prepare(name),
  );
}

function templateByIdStatement(db: Database) {
  return prepared(db, "element_template_by_id", (d) =>
    d
      .select()
      .from(elementTemplates)
      .where(
        and(
          eq(elementTemplates.workspaceId, sql.placeholder("workspaceId")),
          eq(elementTemplates.id, sql.placeholder("id")),
        ),
      )
      .prepare("element_template_by_id"),
  );
}

/** By type and key: the connection's app's template first, else the "any app" one. */
function templateByKeyStatement(db: Database) {
  return prepared(db, "element_template_by_key", (d) =>
    d
      .select()
      .from(elementTemplates)
      .where(
        and(
          eq(elementTemplates.workspaceId, sql.placeholder("workspaceId")),
          eq(elementTemplates.type, sql.placeholder("type")),
          eq(elementTemplates.key, sql.placeholder("key")),
          or(eq(elementTemplates.appId, sql.placeholder("appId")), isNull(elementTemplates.appId)),
        ),
      )
      .orderBy(sql`${elementTemplates.appId} nulls last`)
      .limit(1)
      .prepare("element_template_by_key"),
  );
}

function connectionStatement(db: Database) {
  return prepared(db, "element_connection", (d) =>
    d
      .select({
        id: connections.id,
        tenantId: connections.tenantId,
        appId: connections.appId,
        status: connections.status,
      })
      .from(connections)
      .where(
        and(
          eq(connections.workspaceId, sql.placeholder("workspaceId")),
          eq(connections.id, sql.placeholder("id")),
        ),
      )
      .prepare("element_connection"),
  );
}

async function loadJoined(db: Executor, workspaceId: string, tenantId: string, id: string): Promise<Joined> {
  const rows = isTransaction(db)
    ? await db
        .select(joinedColumns)
        .from(elementInstances)
        .leftJoin(elementTemplates, templateJoin)
        .where(
          and(
            eq(elementInstances.workspaceId, workspaceId),
            eq(elementInstances.tenantId, tenantId),
            eq(elementInstances.id, id),
          ),
        )
    : await byIdStatement(db).execute({ workspaceId, tenantId, id });
  const row = rows[0];
  if (!row) throw notFound("Element", id);
  return row;
}

/** A connection of this tenant; another tenant's is answered like a missing one. */
async function loadTenantConnection(
  db: Database,
  workspaceId: string,
  tenantId: string,
  id: string,
): Promise<ConnectionRef> {
  const [row] = await connectionStatement(db).execute({ workspaceId, id });
  if (!row || row.tenantId !== tenantId) throw notFound("Connection", id);
  return row;
}

/** The hot path: one prepared round trip, then merge and validate in memory (see bench/elements.bench.ts). */
export async function getElement(
  ec: ElementContext,
  input: { tenantId: string; instanceId: string },
): Promise<Element> {
  const { instance, template } = await loadJoined(
    ec.db,
    ec.actor.workspaceId,
    input.tenantId,
    input.instanceId,
  );
  return toElement(instance, template);
}

async function findTemplate(
  db: Database,
  workspaceId: string,
  input: { templateId?: string | undefined; type?: string | undefined; key?: string | undefined },
  connection: ConnectionRef | null,
): Promise<TemplateRow> {
  if (input.templateId) {
    const [row] = await templateByIdStatement(db).execute({ workspaceId, id: input.templateId });
    if (!row) throw notFound("Element template", input.templateId);
    return row;
  }
  const [row] = await templateByKeyStatement(db).execute({
    workspaceId,
    type: input.type,
    key: input.key,
    // No app matches "", so without a connection only the "any app" template is found.
    appId: connection?.appId ?? "",
  });
  if (!row) throw notFound("Element template", `${input.type}/${input.key}`);
  return row;
}

/** Which template instance a call means: by template id, or by type and key (+ connection, key). */
interface TemplateSelector {
  tenantId: string;
  templateId?: string | undefined;
  type?: string | undefined;
  key?: string | undefined;
  connectionId?: string | undefined;
  instanceKey: string;
}

/** A template selector looked up: the template, the connection, and the instance's identity. */
interface SelectedTemplate {
  template: TemplateRow;
  connection: ConnectionRef | null;
  identity: {
    workspaceId: string;
    tenantId: string;
    templateId: string;
    connectionId: string | null;
    instanceKey: string;
  };
}

/** Read-only, outside any transaction (prepared statements on the database itself). */
async function selectTemplate(ec: ElementContext, input: TemplateSelector): Promise<SelectedTemplate> {
  const workspaceId = ec.actor.workspaceId;
  const connection = input.connectionId
    ? await loadTenantConnection(ec.db, workspaceId, input.tenantId, input.connectionId)
    : null;
  const template = await findTemplate(ec.db, workspaceId, input, connection);
  if (template.appId && connection && template.appId !== connection.appId) {
    throw appError("BAD_REQUEST", "invalid_input", "The connection is to another app than the template's", {
      templateAppId: template.appId,
      connectionAppId: connection.appId,
    });
  }
  return {
    template,
    connection,
    identity: {
      workspaceId,
      tenantId: input.tenantId,
      templateId: template.id,
      connectionId: connection?.id ?? null,
      instanceKey: input.instanceKey,
    },
  };
}

/** What creating the instance would be refused for (checked before a view or a creation). */
async function assertCreatable(ec: ElementContext, selected: SelectedTemplate): Promise<void> {
  if (selected.template.archivedAt) throw elementArchived("The template");
  if (selected.connection?.status === "disconnected") throw elementArchived("The connection");
  await assertTenantExists(ec.db, ec.actor.workspaceId, selected.identity.tenantId);
}

/**
 * A read: the tenant's instance of a template (per connection or none, per instance key), or —
 * when it has none yet — the template's view of the instance it would get, with `id` null. Nothing
 * is written: `elements:read` suffices, so this must not create rows or activity. The first change
 * (patch, reset or deploy with the same selector) creates the instance.
 */
export async function resolveElement(
  ec: ElementContext,
  input: ResolveElementInput,
): Promise<ResolvedElement> {
  if (input.instanceId) {
    const { instance, template } = await loadJoined(
      ec.db,
      ec.actor.workspaceId,
      input.tenantId,
      input.instanceId,
    );
    return toElement(instance, template);
  }
  const selected = await selectTemplate(ec, input);
  const [existing] = await byTemplateStatement(ec.db, selected.connection !== null).execute(
    selected.identity,
  );
  if (existing) return toElement(existing.instance, existing.template);
  await assertCreatable(ec, selected);
  return notYetCreated(selected);
}

/** The instance a template selector would create, as `toElement` shows it, without its row. */
function notYetCreated({ template, identity, connection }: SelectedTemplate): ResolvedElement {
  const epoch = new Date(0);
  const element = toElement(
    {
      ...identity,
      id: "",
      type: template.type,
      key: template.key,
      name: null,
      appId: null,
      definition: null,
      configSchema: null,
      dataSourceKey: null,
      direction: null,
      overrides: {},
      overrideBases: {},
      mergedRevision: template.revision,
      revision: 1,
      setupState: connection ? "setting_up" : "ready",
      setupErrors: [],
      archivedAt: null,
      createdAt: epoch,
      updatedAt: epoch,
    },
    template,
  );
  return { ...element, id: null, createdAt: null, updatedAt: null };
}

/**
 * Inside a change's transaction: the id of the tenant's instance for a selected template, inserted
 * first when there is none. Concurrent first changes insert with ON CONFLICT DO NOTHING on the
 * identity constraint: the losers wait for the winner's transaction and read its row, so exactly
 * one instance (and one `element.created` entry) is created; should the winner's change fail and
 * roll back, a loser's insert goes ahead instead.
 */
async function createdInstanceId(
  tx: Executor,
  ec: ElementContext,
  selected: SelectedTemplate,
): Promise<string> {
  const { template, identity, connection } = selected;
  const find = async () => {
    const [row] = await tx
      .select({ id: elementInstances.id })
      .from(elementInstances)
      .where(
        and(
          eq(elementInstances.workspaceId, identity.workspaceId),
          eq(elementInstances.tenantId, identity.tenantId),
          eq(elementInstances.templateId, identity.templateId),
          identity.connectionId
            ? eq(elementInstances.connectionId, identity.connectionId)
            : isNull(elementInstances.connectionId),
          eq(elementInstances.instanceKey, identity.instanceKey),
        ),
      );
    return row?.id;
  };
  const [row] = await tx
    .insert(elementInstances)
    .values({
      ...identity,
      id: newId("elem"),
      type: template.type,
      key: template.key,
      mergedRevision: template.revision,
      // With a connection there is something to set up (POST …/deploy); without one there is not.
      setupState: connection ? "setting_up" : "ready",
    })
    .onConflictDoNothing()
    .returning({ id: elementInstances.id });
  if (!row) {
    const winner = await find(); // a concurrent first change created it
    if (!winner) throw new Error("element instance vanished after a conflicting insert");
    return winner;
  }
  await recordActivity(tx, ec, {
    tenantId: identity.tenantId,
    action: "element.created",
    targetType: "element",
    targetId: row.id,
    after: {
      templateId: template.id,
      connectionId: identity.connectionId,
      instanceKey: identity.instanceKey,
    },
  });
  return row.id;
}

/**
 * A change's target: `instanceId`, or the instance a template selector names. The selector is
 * looked up before the transaction (prepared reads on the database); the function returned gives
 * the id inside the change's transaction, creating the instance there when there is none yet, so a
 * change that fails (400, 409) leaves no instance behind.
 */
async function changeTarget(
  ec: ElementContext,
  input: TemplateSelector & { instanceId?: string | undefined },
): Promise<(tx: Executor) => Promise<string>> {
  if (input.instanceId) {
    const instanceId = input.instanceId;
    return async () => instanceId;
  }
  const selected = await selectTemplate(ec, input);
  const [existing] = await byTemplateStatement(ec.db, selected.connection !== null).execute(
    selected.identity,
  );
  if (existing) {
    const instanceId = existing.instance.id;
    return async () => instanceId;
  }
  await assertCreatable(ec, selected);
  return (tx) => createdInstanceId(tx, ec, selected);
}

export async function listElements(
  ec: ElementContext,
  input: {
    tenantId: string;
    limit: number;
    cursor?: string | undefined;
    connectionId?: string | undefined;
    templateId?: string | undefined;
    type?: string | undefined;
    includeArchived: boolean;
  },
): Promise<{ items: Element[]; nextCursor: string | null }> {
  const conditions = [
    eq(elementInstances.workspaceId, ec.actor.workspaceId),
    eq(elementInstances.tenantId, input.tenantId),
  ];
  if (input.connectionId) conditions.push(eq(elementInstances.connectionId, input.connectionId));
  if (input.templateId) conditions.push(eq(elementInstances.templateId, input.templateId));
  if (input.type) conditions.push(eq(elementInstances.type, input.type as InstanceRow["type"]));
  if (!input.includeArchived) {
    conditions.push(isNull(elementInstances.archivedAt));
    conditions.push(isNull(elementTemplates.archivedAt));
  }
  if (input.cursor) conditions.push(lt(elementInstances.id, decodeCursor(input.cursor)));
  const rows = await ec.db
    .select(joinedColumns)
    .from(elementInstances)
    .leftJoin(elementTemplates, templateJoin)
    .where(and(...conditions))
    .orderBy(desc(elementInstances.id))
    .limit(input.limit + 1);
  return pageOf(
    rows.map((r) => toElement(r.instance, r.template)),
    input.limit,
  );
}

// --- Changes: one transaction each, instance row locked, template read FOR SHARE. ------------------

/**
 * Locks the instance and reads its template FOR SHARE: a template update in flight finishes first
 * and this change validates against it, so a tenant's patch and a host's template change are both
 * kept and the result is valid (or the patch answers 400/409 and stores nothing).
 */
async function lockForChange(
  tx: Executor,
  actor: Actor,
  input: { tenantId: string; instanceId: string; revision?: number | undefined },
): Promise<Joined> {
  const workspaceId = actor.workspaceId;
  const [instance] = await tx
    .select()
    .from(elementInstances)
    .where(
      and(
        eq(elementInstances.workspaceId, workspaceId),
        eq(elementInstances.tenantId, input.tenantId),
        eq(elementInstances.id, input.instanceId),
      ),
    )
    .for("update");
  if (!instance) throw notFound("Element", input.instanceId);
  let template: TemplateRow | null = null;
  if (instance.templateId) {
    const [row] = await tx
      .select()
      .from(elementTemplates)
      .where(and(eq(elementTemplates.workspaceId, workspaceId), eq(elementTemplates.id, instance.templateId)))
      .for("share");
    template = row ?? null;
    if (!template) throw notFound("Element template", instance.templateId);
  }
  if (instance.archivedAt || template?.archivedAt) throw elementArchived("The element");
  if (input.revision !== undefined && instance.revision !== input.revision) {
    throw versionConflict("The element", instance.revision);
  }
  return { instance, template };
}

function invalid(
  code: "invalid_override_path" | "invalid_configuration",
  what: string,
  issues: InputIssue[],
) {
  const first = issues[0]!;
  return appError("BAD_REQUEST", code, `${what}: ${first.path} ${first.message}`, { issues });
}

/** Only setup that ran already is re-checked on a change; one still setting up waits for its deploy. */
async function refreshSetup(tx: Executor, joined: Joined, config: JsonMap) {
  if (joined.instance.setupState === "setting_up") {
    return { setupState: joined.instance.setupState, setupErrors: joined.instance.setupErrors };
  }
  return setupOutcome(tx, joined, config);
}

/** Writes an instance's change under the lock the caller holds: its revision moves on by one. */
async function updateInstance(
  tx: Executor,
  instance: InstanceRow,
  changes: Partial<typeof elementInstances.$inferInsert>,
): Promise<InstanceRow> {
  const [row] = await tx
    .update(elementInstances)
    .set({ ...changes, revision: instance.revision + 1, updatedAt: new Date() })
    .where(and(eq(elementInstances.workspaceId, instance.workspaceId), eq(elementInstances.id, instance.id)))
    .returning();
  return row!;
}

export async function patchElement(ec: ElementContext, input: PatchElementInput): Promise<Element> {
  const pointers = Object.keys(input.overrides);
  const badPointers = pointers.filter((p) => parsePointer(p) === null);
  if (badPointers.length > 0) {
    throw invalid(
      "invalid_override_path",
      "Not a JSON Pointer",
      badPointers.map((path) => ({
        path,
        message: "is not a JSON Pointer to a member (e.g. /settings/limit)",
      })),
    );
  }
  const target = await changeTarget(ec, input);
  return ec.db.transaction(async (tx) => {
    const instanceId = await target(tx);
    const joined = await lockForChange(tx, ec.actor, { ...input, instanceId });
    const { instance, template } = joined;
    const owned = template === null;
    const configSchema = owned ? instance.configSchema : template.configSchema;
    // A tenant-owned element without a schema is the tenant's to shape as it likes.
    if (configSchema) {
      const pathIssues = checkOverridePaths(configSchema, pointers);
      if (pathIssues.length > 0) throw invalid("invalid_override_path", "Not changeable", pathIssues);
    }
    if (pointers.length === 0) return toElement(instance, template);

    let overrides = instance.overrides;
    let overrideBases = instance.overrideBases;
    let definition = instance.definition;
    let config: JsonMap;
    if (owned) {
      definition = mergeOverrides(clone(instance.definition!), input.overrides);
      config = definition;
    } else {
      // A path set replaces whatever was overridden below it.
      const kept = Object.entries(instance.overrides).filter(
        ([p]) => !pointers.some((set) => isSameOrBelow(p, set)),
      );
      overrides = { ...Object.fromEntries(kept), ...input.overrides };
      overrideBases = {
        ...Object.fromEntries(Object.entries(instance.overrideBases).filter(([p]) => p in overrides)),
        ...baseValues(template.definition, pointers),
      };
      config = mergeOverrides(clone(template.definition), overrides);
    }
    const issues = validateConfig(validatorFor(null, configSchema ?? EMPTY_CONFIG_SCHEMA), config);
    if (issues.length > 0)
      throw invalid("invalid_configuration", "The change breaks the config schema", issues);

    const setup = await refreshSetup(tx, joined, config);
    const row = await updateInstance(tx, instance, {
      overrides,
      overrideBases,
      definition,
      mergedRevision: template?.revision ?? instance.mergedRevision,
      ...setup,
    });
    await recordActivity(tx, ec, {
      tenantId: instance.tenantId,
      action: "element.customized",
      targetType: "element",
      targetId: instance.id,
      before: owned ? pickPaths(instance.definition!, pointers) : pickKeys(instance.overrides, pointers),
      after: owned ? pickPaths(definition!, pointers) : pickKeys(overrides, pointers),
    });
    return toElement(row, template);
  });
}

const pickKeys = (map: JsonMap, keys: string[]) =>
  Object.fromEntries(Object.entries(map).filter(([k]) => keys.some((p) => isSameOrBelow(k, p))));
const pickPaths = (document: JsonMap, pointers: string[]) =>
  Object.fromEntries(pointers.map((p) => [p, valueAt(document, parsePointer(p) ?? []) ?? null]));

/** Drops overrides (all, or those at or below the given paths) so those parts follow the template again. */
export async function resetElement(ec: ElementContext, input: ResetElementInput): Promise<Element> {
  const target = await changeTarget(ec, input);
  return ec.db.transaction(async (tx) => {
    const joined = await lockForChange(tx, ec.actor, { ...input, instanceId: await target(tx) });
    const { instance, template } = joined;
    if (!template) {
      throw appError("BAD_REQUEST", "invalid_input", "A tenant's own element has no template to reset to");
    }
    const paths = input.paths;
    const removed = Object.keys(instance.overrides).filter(
      (p) => !paths || paths.some((reset) => isSameOrBelow(p, reset)),
    );
    if (removed.length === 0) return toElement(instance, template);
    const overrides = Object.fromEntries(
      Object.entries(instance.overrides).filter(([p]) => !removed.includes(p)),
    );
    const overrideBases = Object.fromEntries(
      Object.entries(instance.overrideBases).filter(([p]) => !removed.includes(p)),
    );
    const config = mergeOverrides(clone(template.definition), overrides);
    const issues = validateConfig(validatorFor(null, template.configSchema), config);
    if (issues.length > 0) {
      throw invalid(
        "invalid_configuration",
        "What remains would break the config schema; reset more paths",
        issues,
      );
    }
    const setup = await refreshSetup(tx, joined, config);
    const row = await updateInstance(tx, instance, {
      overrides,
      overrideBases,
      mergedRevision: template.revision,
      ...setup,
    });
    await recordActivity(tx, ec, {
      tenantId: instance.tenantId,
      action: "element.reset",
      targetType: "element",
      targetId: instance.id,
      before: pickKeys(instance.overrides, removed),
      after: Object.fromEntries(removed.map((p) => [p, null])),
    });
    return toElement(row, template);
  });
}

// --- Setup: validate against the connection. ----------------------------------------------------------

interface ExternalField {
  key: string;
  title: string | null;
}

/** A data source's fields: `definition.fields` as `{ key: { title? } }`. */
function fieldsOf(config: JsonMap): ExternalField[] {
  const fields = config.fields;
  if (!fields || typeof fields !== "object" || Array.isArray(fields)) return [];
  return Object.entries(fields as JsonMap).map(([key, value]) => ({
    key,
    title:
      value && typeof value === "object" && typeof (value as JsonMap).title === "string"
        ? ((value as JsonMap).title as string)
        : null,
  }));
}

/**
 * The external fields a field mapping may map to: those of its data source for the connection's
 * app (or the "any app" one), as this tenant customized it for the same connection if it did.
 */
export async function externalFieldsFor(
  db: Executor,
  instance: Pick<InstanceRow, "workspaceId" | "tenantId" | "connectionId">,
  dataSourceKey: string,
  appId: string | null,
): Promise<ExternalField[] | null> {
  const [source] = await db
    .select()
    .from(elementTemplates)
    .where(
      and(
        eq(elementTemplates.workspaceId, instance.workspaceId),
        eq(elementTemplates.type, "data_source"),
        eq(elementTemplates.key, dataSourceKey),
        isNull(elementTemplates.archivedAt),
        appId
          ? or(eq(elementTemplates.appId, appId), isNull(elementTemplates.appId))
          : isNull(elementTemplates.appId),
      ),
    )
    .orderBy(sql`${elementTemplates.appId} nulls last`)
    .limit(1);
  if (!source) return null;
  const [customized] = await db
    .select({ overrides: elementInstances.overrides })
    .from(elementInstances)
    .where(
      and(
        eq(elementInstances.workspaceId, instance.workspaceId),
        eq(elementInstances.tenantId, instance.tenantId),
        eq(elementInstances.templateId, source.id),
        instance.connectionId
          ? eq(elementInstances.connectionId, instance.connectionId)
          : isNull(elementInstances.connectionId),
        eq(elementInstances.instanceKey, ""),
      ),
    );
  return fieldsOf(customized ? mergeOverrides(source.definition, customized.overrides) : source.definition);
}

async function setupOutcome(
  db: Executor,
  { instance, template }: Joined,
  config: JsonMap,
): Promise<{ setupState: "ready" | "setup_failed"; setupErrors: InputIssue[] }> {
  const errors: InputIssue[] = [];
  const appId = template ? template.appId : instance.appId;
  let connectionAppId: string | null = null;
  if (instance.connectionId) {
    const [connection] = await db
      .select({ appId: connections.appId, status: connections.status })
      .from(connections)
      .where(
        and(eq(connections.workspaceId, instance.workspaceId), eq(connections.id, instance.connectionId)),
      );
    if (!connection) errors.push({ path: "/connection", message: "the connection no longer exists" });
    else {
      connectionAppId = connection.appId;
      if (connection.status !== "connected") {
        errors.push({
          path: "/connection",
          message: `the connection is ${connection.status}, not connected`,
        });
      }
      if (appId && connection.appId !== appId) {
        errors.push({ path: "/connection", message: "the connection is to another app than the element's" });
      }
    }
  }
  const dataSourceKey = template ? template.dataSourceKey : instance.dataSourceKey;
  const direction = (template ? template.direction : instance.direction) ?? "both";
  if (instance.type === "field_mapping" && dataSourceKey) {
    const fields = await externalFieldsFor(db, instance, dataSourceKey, connectionAppId ?? appId);
    if (!fields) {
      errors.push({ path: "/dataSourceKey", message: `no data source "${dataSourceKey}" for this app` });
    } else {
      const known = new Set(fields.map((f) => f.key));
      for (const section of direction === "both" ? ["import", "export"] : [direction]) {
        const rules = config[section];
        if (!rules || typeof rules !== "object") continue;
        for (const [hostField, rule] of Object.entries(rules as JsonMap)) {
          const field = rule && typeof rule === "object" ? (rule as JsonMap).field : undefined;
          if (typeof field === "string" && !known.has(field)) {
            errors.push({
              path: `/${section}/${hostField}/field`,
              message: `"${field}" is not a field of the data source "${dataSourceKey}"`,
            });
          }
        }
      }
    }
  }
  return errors.length > 0
    ? { setupState: "setup_failed", setupErrors: errors }
    : { setupState: "ready", setupErrors: [] };
}

/**
 * Deploys an instance (created first when a template selector is given): checks the configuration
 * and the connection — status, app, a field mapping's fields against its data source — and records
 * `ready` or `setup_failed` with the errors. A failed setup is an answer, not an error.
 */
export async function deployElement(ec: ElementContext, input: DeployElementInput): Promise<Element> {
  const target = await changeTarget(ec, input);
  return ec.db.transaction(async (tx) => {
    const instanceId = await target(tx);
    const joined = await lockForChange(tx, ec.actor, { tenantId: input.tenantId, instanceId });
    const before = toElement(joined.instance, joined.template);
    const setup =
      before.state === "configuration_error"
        ? { setupState: "setup_failed" as const, setupErrors: before.errors }
        : await setupOutcome(tx, joined, before.config);
    const row = await updateInstance(tx, joined.instance, setup);
    await recordActivity(tx, ec, {
      tenantId: input.tenantId,
      action: "element.deployed",
      targetType: "element",
      targetId: instanceId,
      before: { state: joined.instance.setupState },
      after: { state: setup.setupState, errors: setup.setupErrors },
    });
    return toElement(row, joined.template);
  });
}

export async function archiveElement(
  ec: ElementContext,
  input: { tenantId: string; instanceId: string },
): Promise<Element> {
  return ec.db.transaction(async (tx) => {
    const { instance, template } = await loadJoined(
      tx,
      ec.actor.workspaceId,
      input.tenantId,
      input.instanceId,
    );
    if (instance.archivedAt) return toElement(instance, template);
    const [row] = await tx
      .update(elementInstances)
      .set({ archivedAt: new Date(), revision: instance.revision + 1, updatedAt: new Date() })
      .where(
        and(
          eq(elementInstances.workspaceId, instance.workspaceId),
          eq(elementInstances.id, instance.id),
          isNull(elementInstances.archivedAt),
        ),
      )
      .returning();
    if (!row) return toElement(instance, template);
    await recordActivity(tx, ec, {
      tenantId: instance.tenantId,
      action: "element.archived",
      targetType: "element",
      targetId: instance.id,
      before: { archived: false },
      after: { archived: true },
    });
    return toElement(row, template);
  });
}

/**
 * Called by the connections domain in the transaction that disconnects: the connection's instances
 * are archived with it, each with its own activity entry.
 */
export async function archiveConnectionElements(
  tx: Executor,
  context: { actor: Actor; requestId: string },
  connection: { workspaceId: string; id: string; tenantId: string },
): Promise<void> {
  const rows = await tx
    .update(elementInstances)
    .set({ archivedAt: new Date(), revision: sql`${elementInstances.revision} + 1`, updatedAt: new Date() })
    .where(
      and(
        eq(elementInstances.workspaceId, connection.workspaceId),
        eq(elementInstances.connectionId, connection.id),
        isNull(elementInstances.archivedAt),
      ),
    )
    .returning({ id: elementInstances.id });
  for (const row of rows) {
    await recordActivity(tx, context, {
      tenantId: connection.tenantId,
      action: "element.archived",
      targetType: "element",
      targetId: row.id,
      before: { archived: false },
      after: { archived: true, reason: "connection_disconnected" },
    });
  }
}

/** A tenant's own element: no template; the tenant owns its definition (and optional schema). */
export async function createOwnElement(ec: ElementContext, input: CreateOwnElementInput): Promise<Element> {
  const workspaceId = ec.actor.workspaceId;
  // A token's schema may not carry regular expressions: they would run on the shared server.
  if (input.configSchema) {
    checkDefinition(input.definition, input.configSchema, { allowPattern: ec.actor.type === "api_key" });
  }
  const parts = fieldMappingParts(input.type, input);
  await assertTenantExists(ec.db, workspaceId, input.tenantId);
  const connection = input.connectionId
    ? await loadTenantConnection(ec.db, workspaceId, input.tenantId, input.connectionId)
    : null;
  return ec.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(elementInstances)
      .values({
        workspaceId,
        id: newId("elem"),
        tenantId: input.tenantId,
        templateId: null,
        connectionId: connection?.id ?? null,
        instanceKey: input.instanceKey,
        type: input.type,
        key: input.key,
        name: input.name,
        appId: input.appId ?? connection?.appId ?? null,
        definition: input.definition,
        configSchema: input.configSchema ?? null,
        ...parts,
        setupState: connection ? "setting_up" : "ready",
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      throw appError(
        "CONFLICT",
        "element_key_taken",
        `The tenant has a ${input.type} "${input.key}" already`,
        {
          type: input.type,
          key: input.key,
        },
      );
    }
    await recordActivity(tx, ec, {
      tenantId: input.tenantId,
      action: "element.created",
      targetType: "element",
      targetId: row.id,
      after: { type: row.type, key: row.key, name: row.name, owned: true },
    });
    return toElement(row, null);
  });
}

/** Field mappings: what the editor offers on the external side (null: no data source found). */
export async function listExternalFields(
  ec: ElementContext,
  input: { tenantId: string; instanceId: string },
): Promise<{ items: ExternalField[] | null }> {
  const element = await getElement(ec, input);
  if (element.type !== "field_mapping" || !element.dataSourceKey) return { items: null };
  let appId = element.appId;
  if (element.connectionId) {
    appId = (await loadTenantConnection(ec.db, ec.actor.workspaceId, input.tenantId, element.connectionId))
      .appId;
  }
  const items = await externalFieldsFor(
    ec.db,
    { workspaceId: ec.actor.workspaceId, tenantId: input.tenantId, connectionId: element.connectionId },
    element.dataSourceKey,
    appId,
  );
  return { items: items?.sort((a, b) => a.key.localeCompare(b.key)) ?? null };
}
