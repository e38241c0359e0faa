import type { Executor } from "@tenantry/db/database";
import { usageBuckets, usageCounters } from "@tenantry/db/schema/usage";
import { and, eq, gte, lt, sql } from "drizzle-orm";

/** One tenant's running count of one metric: the key of its counter row and its hourly buckets. */
export interface CounterKey {
  workspaceId: string;
  tenantId: string;
  metric: string;
}

export function counterWhere(key: CounterKey) {
  return and(
    eq(usageCounters.workspaceId, key.workspaceId),
    eq(usageCounters.tenantId, key.tenantId),
    eq(usageCounters.metric, key.metric),
  );
}

/** Sum of the buckets that left the window since the counter last moved: O(hours expired). */
export async function expiredSince(db: Executor, key: CounterKey, from: Date, to: Date): Promise<number> {
  if (from >= to) return 0;
  const [row] = await db
    .select({ sum: sql<string | null>`sum(${usageBuckets.amount})` })
    .from(usageBuckets)
    .where(
      and(
        eq(usageBuckets.workspaceId, key.workspaceId),
        eq(usageBuckets.tenantId, key.tenantId),
        eq(usageBuckets.metric, key.metric),
        gte(usageBuckets.hour, from),
        lt(usageBuckets.hour, to),
      ),
    );
  return Number(row?.sum ?? 0);
}
