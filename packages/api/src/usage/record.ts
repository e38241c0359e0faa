import type { RecordResult, RecordUsageInput } from "@tenantry/contracts/usage";
import { type Database, type Executor, rowsOf } from "@tenantry/db/database";
import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { canonicalJson, sha256Hex } from "../shared/crypto";
import { AppErrorCause, appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { AI_CREDITS } from "./limits";
import { announceCrossedMarks, USAGE_THRESHOLD } from "./thresholds";
import { floorHour, utcDay, windowOf } from "./window";

/** Idempotency keys answer their first answer for 24 hours (an interval for PostgreSQL). */
const IDEMPOTENCY_TTL = "24 hours";
/** The most records one group applies in one statement; more wait for the next group. */
const MAX_GROUP = 256;

function limitExceeded(used: number, limit: number) {
  return appError("TOO_MANY_REQUESTS", "usage_limit_exceeded", "This record would exceed the usage limit", {
    used,
    limit,
    remaining: Math.max(0, limit - used),
  });
}

const isAppError = (error: unknown) => error instanceof Error && error.cause instanceof AppErrorCause;

const keyReused = () =>
  appError("CONFLICT", "idempotency_key_reused", "This idempotency key was already used with another body");

/** One record waiting for its group to be applied. */
interface Pending {
  ctx: ServiceContext;
  input: RecordUsageInput;
  now: Date;
  requestHash: string | null;
  resolve(result: RecordResult): void;
  reject(error: unknown): void;
}

/** Per database, per (workspace, tenant, metric, hour): the records waiting while a group runs. */
const waiting = new WeakMap<Database, Map<string, Pending[]>>();

/**
 * Records usage exactly under concurrency, with group commit.
 *
 * Records for one (tenant, metric) in one process queue here: the first runs at once (a group of one,
 * no added latency when idle); those that arrive while a group is being applied form the next group,
 * applied as soon as it finishes. A group is one call of `tenantry_usage_record` (migration 0018):
 * one statement that locks the counter row and applies the records in arrival order, each against
 * the total the previous one left, so each gets its own exact `used`/`remaining`, its own
 * accept/refuse decision and its own stored idempotent answer. Across processes the row lock
 * serialises the groups. The tenant's status and limit are read in the same statement, before the
 * lock and without one (as a separate read would be under READ COMMITTED).
 */
export async function recordUsage(ctx: ServiceContext, input: RecordUsageInput): Promise<RecordResult> {
  const now = ctx.clock.now();
  const requestHash = input.idempotencyKey
    ? await sha256Hex(canonicalJson({ metric: input.metric, amount: input.amount }))
    : null;
  return new Promise<RecordResult>((resolve, reject) => {
    const pending: Pending = { ctx, input, now, requestHash, resolve, reject };
    // Inside a caller's transaction there is nothing to share: apply it there, alone.
    if (ctx.db instanceof PgTransaction) {
      void applyGroup(ctx.db, [pending]);
      return;
    }
    const key = [ctx.actor.workspaceId, input.tenantId, input.metric, floorHour(now.getTime())].join(
      "\u0000",
    );
    let queues = waiting.get(ctx.db);
    if (!queues) {
      queues = new Map();
      waiting.set(ctx.db, queues);
    }
    const queue = queues.get(key);
    if (queue) {
      queue.push(pending);
      return;
    }
    queues.set(key, []);
    void drain(ctx.db, queues, key, [pending]);
  });
}

/** Applies groups for one key until nobody waits, then forgets the key (no await in between). */
async function drain(db: Database, queues: Map<string, Pending[]>, key: string, first: Pending[]) {
  let group = first;
  while (group.length > 0) {
    await applyGroup(db, group);
    group = queues.get(key)!.splice(0, MAX_GROUP);
  }
  queues.delete(key);
}

interface Row {
  outcome: "accepted" | "replay" | "refused" | "conflict" | "announce";
  used: string | number | null;
  response: RecordResult | null;
}

/** Settles every record of the group; never throws. */
async function applyGroup(db: Executor, group: Pending[]): Promise<void> {
  let applied: Applied;
  try {
    applied = await applyInDatabase(db, group, false);
    if (applied.rows[0]?.outcome === "announce") {
      // A record crosses the 80 % mark or the limit: apply the group again in a transaction that
      // also records the crossing (activity, event, webhooks), once per crossing.
      applied = await db.transaction(async (tx) => {
        const again = await applyInDatabase(tx, group, true);
        const limit = again.limit;
        if (limit === null) return again;
        for (const [i, row] of again.rows.entries()) {
          if (row.outcome !== "accepted") continue;
          const { ctx, input } = group[i]!;
          const after = Number(row.used);
          await announceCrossedMarks(tx, ctx, {
            tenantId: input.tenantId,
            metric: input.metric,
            limit,
            before: after - input.amount,
            after,
          });
        }
        return again;
      });
    }
  } catch (error) {
    if (isAppError(error) || group.length === 1) {
      // Unknown tenant or metric, inactive tenant: the same answer for every record of the group.
      for (const pending of group) pending.reject(error);
      return;
    }
    // Something failed for the whole group (e.g. a deadlock with another metric's group over a
    // reused key): apply its records one by one, in order, so each gets its own answer.
    for (const pending of group) await applyGroup(db, [pending]);
    return;
  }
  const { limit, rows } = applied;
  if (rows.length !== group.length) {
    for (const pending of group) pending.reject(new Error("usage record answered the wrong number of rows"));
    return;
  }
  for (const [i, row] of rows.entries()) {
    const pending = group[i]!;
    const { input } = pending;
    switch (row.outcome) {
      case "accepted": {
        const used = Number(row.used);
        const window = windowOf(pending.now);
        pending.resolve({
          metric: input.metric,
          amount: input.amount,
          used,
          limit,
          remaining: limit === null ? null : limit - used,
          windowStart: window.start.toISOString(),
          windowEnd: window.end.toISOString(),
        });
        break;
      }
      case "replay":
        pending.resolve(row.response!);
        break;
      case "conflict":
        pending.reject(keyReused());
        break;
      case "refused":
        // The refusal was counted with the group; nothing else was written for it.
        pending.reject(limitExceeded(Number(row.used), limit!));
        break;
      default:
        pending.reject(new Error(`usage record answered ${row.outcome}`));
    }
  }
}

interface Applied {
  limit: number | null;
  rows: Row[];
}

/**
 * One statement, one round trip: read the tenant's status and the limit that applies (no lock; the
 * same precedence as `resolveLimit` in limits.ts: the tenant's override, its plan's entry, the
 * metric's default, else none; `ai_credits` is the tenant's own field), then, only for an active
 * tenant and a known metric, `tenantry_usage_record` locks the counter and applies the group.
 */
async function applyInDatabase(db: Executor, group: Pending[], mayAnnounce: boolean): Promise<Applied> {
  const [head] = group as [Pending];
  const workspaceId = head.ctx.actor.workspaceId;
  const { tenantId, metric } = head.input;
  const window = windowOf(head.now);
  const records = JSON.stringify(
    group.map((pending) => ({
      amount: pending.input.amount,
      key: pending.input.idempotencyKey ?? null,
      hash: pending.requestHash,
      now: pending.now.toISOString(),
    })),
  );
  const result = await db.execute(sql`
    select l.status, l.metric_found, l.lim, r.outcome, r.used, r.response
    from (
      select t.status,
             (${metric}::text = ${AI_CREDITS} or m.key is not null) as metric_found,
             case when ${metric}::text = ${AI_CREDITS} then t.ai_credits_rolling30_day_limit
                  when o.metric is not null then o."limit"
                  when t.plan_key is not null and m.plan_limits ? t.plan_key then (m.plan_limits ->> t.plan_key)::bigint
                  else m.default_limit end as lim
      from tenants t
      left join usage_metrics m on m.workspace_id = t.workspace_id and m.key = ${metric}::text
      left join usage_limit_overrides o
        on o.workspace_id = t.workspace_id and o.tenant_id = t.id and o.metric = ${metric}::text
      where t.workspace_id = ${workspaceId}::text and t.id = ${tenantId}::text
    ) l
    left join lateral tenantry_usage_record(
      ${workspaceId}::text, ${tenantId}::text, ${metric}::text,
      l.status = 'active' and l.metric_found, l.lim, l.lim::double precision * ${USAGE_THRESHOLD}::double precision,
      ${mayAnnounce}::boolean, ${window.start.toISOString()}::timestamptz, ${window.start.toISOString()}::text,
      ${new Date(floorHour(head.now.getTime())).toISOString()}::timestamptz, ${utcDay(head.now)}::date,
      ${IDEMPOTENCY_TTL}::interval, ${records}::jsonb
    ) r on true`);
  const rows = rowsOf<{ status: string; metric_found: boolean; lim: string | number | null } & Row>(result);
  const [first] = rows;
  if (!first) throw notFound("Tenant", tenantId);
  if (first.status !== "active") {
    throw appError("CONFLICT", "tenant_inactive", `The tenant is ${first.status}`, { status: first.status });
  }
  if (!first.metric_found) throw notFound("Usage metric", metric);
  return { limit: first.lim === null ? null : Number(first.lim), rows: first.outcome === null ? [] : rows };
}
