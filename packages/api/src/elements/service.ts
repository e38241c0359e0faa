import type { CreateOwnElementInput, Element, ElementRefInput } from "@tenantry/contracts/elements";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { elementInstances } from "@tenantry/db/schema/elements";
import { and, eq, isNull, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { Actor } from "../actor";
import { type Clock, systemClock } from "../shared/clock";
import { appError } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { assertTenantExists } from "../tenants/rows";
import { toElement } from "./element-view";
import { loadJoined, loadTenantConnection } from "./instance-reads";
import { checkDefinition, fieldMappingParts } from "./templates";

/**
 * An element's own life: a tenant's own element created, an instance archived, and the instances
 * of a connection archived with it. Reads are in `instances.ts`, customization in `overrides.ts`,
 * setup and field mappings in `setup.ts`, templates in `templates.ts`.
 */

export async function archiveElement(ctx: ServiceContext, input: ElementRefInput): Promise<Element> {
  return ctx.db.transaction(async (tx) => {
    const { instance, template } = await loadJoined(
      tx,
      ctx.actor.workspaceId,
      input.tenantId,
      input.instanceId,
    );
    if (instance.archivedAt) return toElement(instance, template);
    const now = ctx.clock.now();
    const [row] = await tx
      .update(elementInstances)
      .set({ archivedAt: now, revision: instance.revision + 1, updatedAt: now })
      .where(
        and(
          eq(elementInstances.workspaceId, instance.workspaceId),
          eq(elementInstances.id, instance.id),
          isNull(elementInstances.archivedAt),
        ),
      )
      .returning();
    if (!row) return toElement(instance, template);
    await recordActivity(tx, ctx, {
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
  context: { actor: Actor; requestId: string; clock: Clock },
  connection: { workspaceId: string; id: string; tenantId: string },
): Promise<void> {
  const now = context.clock.now();
  const rows = await tx
    .update(elementInstances)
    .set({ archivedAt: now, revision: sql`${elementInstances.revision} + 1`, updatedAt: now })
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
export async function createOwnElement(ctx: ServiceContext, input: CreateOwnElementInput): Promise<Element> {
  const workspaceId = ctx.actor.workspaceId;
  // A token's schema may not carry regular expressions: they would run on the shared server.
  if (input.configSchema) {
    checkDefinition(input.definition, input.configSchema, { allowPattern: ctx.actor.type === "api_key" });
  }
  const parts = fieldMappingParts(input.type, input);
  await assertTenantExists(ctx.db, workspaceId, input.tenantId);
  const connection = input.connectionId
    ? await loadTenantConnection(ctx.db, workspaceId, input.tenantId, input.connectionId)
    : null;
  return ctx.db.transaction(async (tx) => {
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
        createdAt: ctx.clock.now(),
        updatedAt: ctx.clock.now(),
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
    await recordActivity(tx, ctx, {
      tenantId: input.tenantId,
      action: "element.created",
      targetType: "element",
      targetId: row.id,
      after: { type: row.type, key: row.key, name: row.name, owned: true },
    });
    return toElement(row, null);
  });
}
