import type { ActivityAction } from "@tenantry/contracts/activity-actions";
import type { EventType, ListEventsInput, TenantryEvent } from "@tenantry/contracts/events";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { events } from "@tenantry/db/schema/events";
import { webhookEndpoints, webhookMessages } from "@tenantry/db/schema/webhooks";
import { and, asc, eq, gt, inArray, lt, sql } from "drizzle-orm";
import { type Actor, actorId } from "../actor";
import type { Clock } from "../shared/clock";
import type { ServiceContext } from "../shared/service-context";
import { EVENT_TYPE_OF_ACTION } from "./event-types";

export interface NewEvent {
  tenantId: string | null;
  action: ActivityAction;
  targetType: string;
  targetId: string;
  /** Already redacted (the activity log's diff). */
  changes: { before?: Record<string, unknown>; after?: Record<string, unknown> };
}

/**
 * Announces an activity entry when its action is one that is announced; called by `recordActivity`
 * inside the change's transaction, so the event commits or rolls back with the change.
 */
export async function recordEvent(
  tx: Executor,
  context: { actor: Actor; clock: Clock },
  entry: NewEvent,
): Promise<string | null> {
  const type = EVENT_TYPE_OF_ACTION[entry.action];
  if (!type) return null;
  const id = newId("evt");
  const now = context.clock.now();
  await tx.insert(events).values({
    workspaceId: context.actor.workspaceId,
    id,
    type,
    tenantId: entry.tenantId,
    actor: { type: context.actor.type, id: actorId(context.actor) },
    data: {
      action: entry.action,
      object: { type: entry.targetType, id: entry.targetId },
      ...entry.changes,
    },
    createdAt: now,
  });
  // The delivery outbox, in the same transaction: one message per enabled endpoint that takes the type.
  await tx.execute(sql`
    insert into ${webhookMessages} (workspace_id, endpoint_id, event_id, tenant_key, status, next_attempt_at, created_at)
    select ${webhookEndpoints.workspaceId}, ${webhookEndpoints.id}, ${id}, ${entry.tenantId ?? ""}, 'pending', ${now.toISOString()}, ${now.toISOString()}
    from ${webhookEndpoints}
    where ${webhookEndpoints.workspaceId} = ${context.actor.workspaceId} and ${webhookEndpoints.status} = 'enabled'
      and (${webhookEndpoints.types} is null or ${webhookEndpoints.types} @> ${JSON.stringify([type])}::jsonb)`);
  return id;
}

export function toEvent(row: typeof events.$inferSelect): TenantryEvent {
  return {
    id: row.id,
    type: row.type as EventType,
    createdAt: row.createdAt.toISOString(),
    tenantId: row.tenantId,
    actor: row.actor,
    data: row.data as TenantryEvent["data"],
  };
}

/** Oldest first, after the given event: a host that pulls keeps the last id it saw. */
export async function listEvents(
  ctx: ServiceContext,
  input: ListEventsInput,
): Promise<{ items: TenantryEvent[]; hasMore: boolean }> {
  const conditions = [eq(events.workspaceId, ctx.actor.workspaceId)];
  if (input.after) conditions.push(gt(events.id, input.after));
  if (input.types) conditions.push(inArray(events.type, input.types));
  if (input.tenantId) conditions.push(eq(events.tenantId, input.tenantId));
  const rows = await ctx.db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(asc(events.id))
    .limit(input.limit + 1);
  return { items: rows.slice(0, input.limit).map(toEvent), hasMore: rows.length > input.limit };
}

/** Removes events older than the retention, across workspaces; answers how many went. */
export async function deleteExpiredEvents(
  db: Executor,
  clock: Clock,
  retentionDays: number,
): Promise<number> {
  const cutoff = new Date(clock.now().getTime() - retentionDays * 86_400_000);
  const removed = await db.delete(events).where(lt(events.createdAt, cutoff)).returning({ id: events.id });
  return removed.length;
}
