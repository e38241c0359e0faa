import type {
  Element,
  ElementList,
  ElementRefInput,
  ListElementsInput,
  ResolvedElement,
  ResolveElementInput,
} from "@tenantry/contracts/elements";
import { elementInstances, elementTemplates } from "@tenantry/db/schema/elements";
import { and, desc, eq, isNull, lt } from "drizzle-orm";
import { decodeCursor, pageOf } from "../shared/cursor";
import type { ServiceContext } from "../shared/service-context";
import { type InstanceRow, toElement } from "./element-view";
import {
  assertCreatable,
  byTemplateStatement,
  joinedColumns,
  loadJoined,
  type SelectedTemplate,
  selectTemplate,
  templateJoin,
} from "./instance-reads";

/** A tenant's instances as it reads them: one, the one a template selector means, or a page. */

/** The hot path: one prepared round trip, then merge and validate in memory (see bench/elements.bench.ts). */
export async function getElement(ctx: ServiceContext, input: ElementRefInput): Promise<Element> {
  const { instance, template } = await loadJoined(
    ctx.db,
    ctx.actor.workspaceId,
    input.tenantId,
    input.instanceId,
  );
  return toElement(instance, template);
}

/**
 * A read: the tenant's instance of a template (per connection or none, per instance key), or —
 * when it has none yet — the template's view of the instance it would get, with `id` null. Nothing
 * is written: `elements:read` suffices, so this must not create rows or activity. The first change
 * (patch, reset or deploy with the same selector) creates the instance.
 */
export async function resolveElement(
  ctx: ServiceContext,
  input: ResolveElementInput,
): Promise<ResolvedElement> {
  if (input.instanceId) {
    const { instance, template } = await loadJoined(
      ctx.db,
      ctx.actor.workspaceId,
      input.tenantId,
      input.instanceId,
    );
    return toElement(instance, template);
  }
  const selected = await selectTemplate(ctx, input);
  const [existing] = await byTemplateStatement(ctx.db, selected.connection !== null).execute(
    selected.identity,
  );
  if (existing) return toElement(existing.instance, existing.template);
  await assertCreatable(ctx, selected);
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

/** A tenant's instances, newest first (archived ones, or those of an archived template, on request). */
export async function listElements(ctx: ServiceContext, input: ListElementsInput): Promise<ElementList> {
  const conditions = [
    eq(elementInstances.workspaceId, ctx.actor.workspaceId),
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
  const rows = await ctx.db
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
