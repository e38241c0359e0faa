import type { RecordResult, RecordUsageInput } from "@tenantry/contracts/usage";
import type { Transaction } from "@tenantry/db/database";
import { usageBuckets, usageCounters, usageIdempotencyKeys, usageRefusals } from "@tenantry/db/schema/usage";
import { and, eq, sql } from "drizzle-orm";
import { canonicalJson, sha256Hex } from "../shared/crypto";
import { appError } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { type CounterKey, counterWhere, expiredSince } from "./counters";
import { loadTenantLimits, resolveLimit } from "./limits";
import { announceCrossedMarks } from "./thresholds";
import { floorHour, HOUR_MS, utcDay, windowOf } from "./window";

const IDEMPOTENCY_TTL_MS = 24 * HOUR_MS;

function limitExceeded(used: number, limit: number) {
  return appError("TOO_MANY_REQUESTS", "usage_limit_exceeded", "This record would exceed the usage limit", {
    used,
    limit,
    remaining: Math.max(0, limit - used),
  });
}

type Outcome = { accepted: RecordResult } | { refused: { used: number; limit: number } };

/**
 * Records usage exactly under concurrency: one transaction locks the (tenant, metric) counter row,
 * so parallel records for one tenant queue on that row and each sees the total the previous one left.
 */
export async function recordUsage(ctx: ServiceContext, input: RecordUsageInput): Promise<RecordResult> {
  const workspaceId = ctx.actor.workspaceId;
  const now = ctx.clock.now();
  const key = { workspaceId, tenantId: input.tenantId, metric: input.metric };
  const requestHash = input.idempotencyKey
    ? await sha256Hex(canonicalJson({ metric: input.metric, amount: input.amount }))
    : null;
  const window = windowOf(now);
  const outcome: Outcome = await ctx.db.transaction(async (tx) => {
    const tenant = await loadTenantLimits(tx, workspaceId, input.tenantId);
    if (tenant.status !== "active") {
      throw appError("CONFLICT", "tenant_inactive", `The tenant is ${tenant.status}`, {
        status: tenant.status,
      });
    }
    const { limit } = await resolveLimit(tx, workspaceId, input.tenantId, tenant, input.metric);

    // One statement creates the counter row on first use or locks the existing one (an upsert
    // locks the row it conflicts with), and answers the total as the last record left it.
    const [counter] = await tx
      .insert(usageCounters)
      .values({ ...key, total: 0, windowStart: window.start })
      .onConflictDoUpdate({
        target: [usageCounters.workspaceId, usageCounters.tenantId, usageCounters.metric],
        set: { total: sql`${usageCounters.total}` },
      })
      .returning({ total: usageCounters.total, windowStart: usageCounters.windowStart });
    if (!counter) throw new Error("usage counter row vanished");

    if (input.idempotencyKey && requestHash) {
      const replay = await previousAnswer(tx, key, input.idempotencyKey, requestHash, now);
      if (replay) return { accepted: replay };
    }

    let total = counter.total;
    if (counter.windowStart < window.start) {
      total -= await expiredSince(tx, key, counter.windowStart, window.start);
    }
    if (limit !== null && total + input.amount > limit) {
      await rememberWindow(tx, key, total, window.start, counter.windowStart);
      await countRefusal(tx, key, now);
      return { refused: { used: total, limit } };
    }
    const used = total + input.amount;
    // The hour's bucket and the running total move in one round trip.
    await tx.execute(sql`
      with bucket as (
        insert into ${usageBuckets} (workspace_id, tenant_id, metric, hour, amount)
        values (${workspaceId}, ${input.tenantId}, ${input.metric}, ${new Date(floorHour(now.getTime())).toISOString()}, ${input.amount})
        on conflict (workspace_id, tenant_id, metric, hour) do update set amount = ${usageBuckets}.amount + excluded.amount
      )
      update ${usageCounters} set total = ${used}, window_start = ${window.start.toISOString()}
      where workspace_id = ${workspaceId} and tenant_id = ${input.tenantId} and metric = ${input.metric}`);
    if (limit !== null) {
      await announceCrossedMarks(tx, ctx, {
        tenantId: input.tenantId,
        metric: input.metric,
        limit,
        before: total,
        after: used,
      });
    }
    const result: RecordResult = {
      metric: input.metric,
      amount: input.amount,
      used,
      limit,
      remaining: limit === null ? null : limit - used,
      windowStart: window.start.toISOString(),
      windowEnd: window.end.toISOString(),
    };
    if (input.idempotencyKey && requestHash) {
      await tx
        .insert(usageIdempotencyKeys)
        .values({
          workspaceId,
          tenantId: input.tenantId,
          key: input.idempotencyKey,
          requestHash,
          response: result,
          createdAt: now,
        })
        .onConflictDoUpdate({
          target: [usageIdempotencyKeys.workspaceId, usageIdempotencyKeys.tenantId, usageIdempotencyKeys.key],
          set: { requestHash, response: result, createdAt: now },
        });
    }
    return { accepted: result };
  });
  // Thrown after commit so the refusal count survives; nothing else was written.
  if ("refused" in outcome) throw limitExceeded(outcome.refused.used, outcome.refused.limit);
  return outcome.accepted;
}

async function rememberWindow(
  tx: Transaction,
  key: CounterKey,
  total: number,
  start: Date,
  previousStart: Date,
) {
  if (previousStart < start) {
    await tx.update(usageCounters).set({ total, windowStart: start }).where(counterWhere(key));
  }
}

async function countRefusal(tx: Transaction, key: CounterKey, now: Date) {
  await tx
    .insert(usageRefusals)
    .values({ ...key, day: utcDay(now), count: 1 })
    .onConflictDoUpdate({
      target: [usageRefusals.workspaceId, usageRefusals.tenantId, usageRefusals.metric, usageRefusals.day],
      set: { count: sql`${usageRefusals.count} + 1` },
    });
}

/** Same key and body within 24 h → the first answer; same key, other body → 409. */
async function previousAnswer(
  tx: Transaction,
  key: { workspaceId: string; tenantId: string },
  idempotencyKey: string,
  requestHash: string,
  now: Date,
): Promise<RecordResult | null> {
  const [stored] = await tx
    .select()
    .from(usageIdempotencyKeys)
    .where(
      and(
        eq(usageIdempotencyKeys.workspaceId, key.workspaceId),
        eq(usageIdempotencyKeys.tenantId, key.tenantId),
        eq(usageIdempotencyKeys.key, idempotencyKey),
      ),
    );
  if (!stored || now.getTime() - stored.createdAt.getTime() >= IDEMPOTENCY_TTL_MS) return null;
  if (stored.requestHash !== requestHash) {
    throw appError(
      "CONFLICT",
      "idempotency_key_reused",
      "This idempotency key was already used with another body",
    );
  }
  return stored.response as RecordResult;
}
