import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { elementInstances, elementTemplates } from "@tenantry/db/schema/elements";
import { and, eq, isNull } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { Actor } from "../actor";
import { notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import type { InstanceRow, Joined } from "./element-view";
import {
  assertCreatable,
  byTemplateStatement,
  type SelectedTemplate,
  selectTemplate,
  type TemplateSelector,
} from "./instance-reads";
import { elementArchived, type TemplateRow, versionConflict } from "./templates";

/**
 * What every change of an instance shares: finding (or creating) its target, locking it with its
 * template, and writing the change. Each change is one transaction: instance row locked, template
 * read FOR SHARE.
 */

/**
 * Inside a change's transaction: the id of the tenant's instance for a selected template, inserted
 * first when there is none. Concurrent first changes insert with ON CONFLICT DO NOTHING on the
 * identity constraint: the losers wait for the winner's transaction and read its row, so exactly
 * one instance (and one `element.created` entry) is created; should the winner's change fail and
 * roll back, a loser's insert goes ahead instead.
 */
async function createdInstanceId(
  tx: Executor,
  ctx: ServiceContext,
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
      createdAt: ctx.clock.now(),
      updatedAt: ctx.clock.now(),
    })
    .onConflictDoNothing()
    .returning({ id: elementInstances.id });
  if (!row) {
    const winner = await find(); // a concurrent first change created it
    if (!winner) throw new Error("element instance vanished after a conflicting insert");
    return winner;
  }
  await recordActivity(tx, ctx, {
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
export async function changeTarget(
  ctx: ServiceContext,
  input: TemplateSelector & { instanceId?: string | undefined },
): Promise<(tx: Executor) => Promise<string>> {
  if (input.instanceId) {
    const instanceId = input.instanceId;
    return async () => instanceId;
  }
  const selected = await selectTemplate(ctx, input);
  const [existing] = await byTemplateStatement(ctx.db, selected.connection !== null).execute(
    selected.identity,
  );
  if (existing) {
    const instanceId = existing.instance.id;
    return async () => instanceId;
  }
  await assertCreatable(ctx, selected);
  return (tx) => createdInstanceId(tx, ctx, selected);
}

/**
 * Locks the instance and reads its template FOR SHARE: a template update in flight finishes first
 * and this change validates against it, so a tenant's patch and a host's template change are both
 * kept and the result is valid (or the patch answers 400/409 and stores nothing).
 */
export async function lockForChange(
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

/** Writes an instance's change under the lock the caller holds: its revision moves on by one. */
export async function updateInstance(
  tx: Executor,
  ctx: Pick<ServiceContext, "clock">,
  instance: InstanceRow,
  changes: Partial<typeof elementInstances.$inferInsert>,
): Promise<InstanceRow> {
  const [row] = await tx
    .update(elementInstances)
    .set({ ...changes, revision: instance.revision + 1, updatedAt: ctx.clock.now() })
    .where(and(eq(elementInstances.workspaceId, instance.workspaceId), eq(elementInstances.id, instance.id)))
    .returning();
  return row!;
}
