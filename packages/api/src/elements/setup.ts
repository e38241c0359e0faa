import type {
  DeployElementInput,
  Element,
  ElementRefInput,
  ExternalField,
  ExternalFields,
} from "@tenantry/contracts/elements";
import type { Executor } from "@tenantry/db/database";
import { connections } from "@tenantry/db/schema/connections";
import { elementInstances, elementTemplates } from "@tenantry/db/schema/elements";
import { and, eq, isNull, or, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { InputIssue } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { type JsonMap, mergeOverrides } from "./config";
import { type InstanceRow, type Joined, toElement } from "./element-view";
import { changeTarget, lockForChange, updateInstance } from "./instance-changes";
import { loadTenantConnection } from "./instance-reads";
import { getElement } from "./instances";

/**
 * Setting an instance up against its connection — status, app, and a field mapping's fields
 * against its data source — and what a field mapping may map to.
 */

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

export async function setupOutcome(
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
export async function deployElement(ctx: ServiceContext, input: DeployElementInput): Promise<Element> {
  const target = await changeTarget(ctx, input);
  return ctx.db.transaction(async (tx) => {
    const instanceId = await target(tx);
    const joined = await lockForChange(tx, ctx.actor, { tenantId: input.tenantId, instanceId });
    const before = toElement(joined.instance, joined.template);
    const setup =
      before.state === "configuration_error"
        ? { setupState: "setup_failed" as const, setupErrors: before.errors }
        : await setupOutcome(tx, joined, before.config);
    const row = await updateInstance(tx, ctx, joined.instance, setup);
    await recordActivity(tx, ctx, {
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

/** Field mappings: what the editor offers on the external side (null: no data source found). */
export async function listExternalFields(
  ctx: ServiceContext,
  input: ElementRefInput,
): Promise<ExternalFields> {
  const element = await getElement(ctx, input);
  if (element.type !== "field_mapping" || !element.dataSourceKey) return { items: null };
  let appId = element.appId;
  if (element.connectionId) {
    appId = (await loadTenantConnection(ctx.db, ctx.actor.workspaceId, input.tenantId, element.connectionId))
      .appId;
  }
  const items = await externalFieldsFor(
    ctx.db,
    { workspaceId: ctx.actor.workspaceId, tenantId: input.tenantId, connectionId: element.connectionId },
    element.dataSourceKey,
    appId,
  );
  return { items: items?.sort((a, b) => a.key.localeCompare(b.key)) ?? null };
}
