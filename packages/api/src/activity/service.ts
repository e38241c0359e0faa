import type { TenantActivityAction, WorkspaceActivityAction } from "@tenantry/contracts/activity-actions";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { activityLog } from "@tenantry/db/schema/activity";
import { and, desc, eq, lt } from "drizzle-orm";
import { type Actor, actorId } from "../actor";
import { recordEvent } from "../events/service";
import type { Clock } from "../shared/clock";
import { decodeCursor, pageOf } from "../shared/cursor";

export const REDACTED = "[redacted]";

/**
 * A tenant's change names one of its actions; a workspace's (no tenant) one of the workspace's.
 * An action that is not in the contracts' lists does not compile.
 */
export type ActivityEntry = (
  | { tenantId: string; action: TenantActivityAction }
  | { tenantId: null; action: WorkspaceActivityAction }
) & {
  targetType: string;
  targetId: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

export interface Activity {
  id: string;
  tenantId: string | null;
  actor: { type: string; id: string };
  action: string;
  target: { type: string; id: string };
  changes: { before?: unknown; after?: unknown };
  requestId: string | null;
  createdAt: string;
}

/**
 * Keeps only what changed, with secret keys replaced: the log says that a secret changed,
 * never what it was or became.
 */
export function diffForLog(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
  secretKeys: ReadonlySet<string> = new Set(),
): { before?: Record<string, unknown>; after?: Record<string, unknown> } {
  const redact = (key: string, value: unknown) => (secretKeys.has(key) && value != null ? REDACTED : value);
  if (!before && !after) return {};
  if (!before) return { after: mapEntries(after!, redact) };
  if (!after) return { before: mapEntries(before, redact) };
  const changedBefore: Record<string, unknown> = {};
  const changedAfter: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    changedBefore[key] = redact(key, before[key] ?? null);
    changedAfter[key] = redact(key, after[key] ?? null);
  }
  return { before: changedBefore, after: changedAfter };
}

function mapEntries(record: Record<string, unknown>, fn: (key: string, value: unknown) => unknown) {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(k, v)]));
}

/**
 * Written in the same transaction as the change it records, so neither exists without the other;
 * an action that is announced also writes its event there (see events/event-types.ts), from the
 * same redacted diff.
 */
export async function recordActivity(
  tx: Executor,
  context: { actor: Actor; requestId: string; clock: Clock },
  entry: ActivityEntry,
  secretKeys?: ReadonlySet<string>,
): Promise<void> {
  const changes = diffForLog(entry.before, entry.after, secretKeys);
  await tx.insert(activityLog).values({
    workspaceId: context.actor.workspaceId,
    id: newId("act"),
    tenantId: entry.tenantId,
    actorType: context.actor.type,
    actorId: actorId(context.actor),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    changes,
    requestId: context.requestId,
    // The change's own time, as its event records it: the context's clock, not the database's.
    createdAt: context.clock.now(),
  });
  await recordEvent(tx, context, {
    tenantId: entry.tenantId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    changes,
  });
}

export async function listTenantActivity(
  db: Executor,
  options: {
    workspaceId: string;
    tenantId: string;
    limit: number;
    cursor?: string | undefined;
    action?: TenantActivityAction | undefined;
  },
): Promise<{ items: Activity[]; nextCursor: string | null }> {
  const conditions = [
    eq(activityLog.workspaceId, options.workspaceId),
    eq(activityLog.tenantId, options.tenantId),
  ];
  if (options.cursor) conditions.push(lt(activityLog.id, decodeCursor(options.cursor)));
  if (options.action) conditions.push(eq(activityLog.action, options.action));
  const rows = await db
    .select()
    .from(activityLog)
    .where(and(...conditions))
    .orderBy(desc(activityLog.id))
    .limit(options.limit + 1);
  return pageOf(rows.map(toActivity), options.limit);
}

function toActivity(row: typeof activityLog.$inferSelect): Activity {
  return {
    id: row.id,
    tenantId: row.tenantId,
    actor: { type: row.actorType, id: row.actorId },
    action: row.action,
    target: { type: row.targetType, id: row.targetId },
    changes: row.changes,
    requestId: row.requestId,
    createdAt: row.createdAt.toISOString(),
  };
}
