import type { RecordResult, RecordUsageInput } from "@tenantry/contracts/usage";
import { type Database, type Executor, rowsOf } from "@tenantry/db/database";
import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { canonicalJson, sha256Hex } from "../shared/crypto";
import { appError } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { loadRecordLimit } from "./limits";
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
 * applied as soon as it finishes. A group is one call of `tenantry_usage_record` (migration 0015):
 * one statement that locks the counter row and applies the records in arrival order, each against
 * the total the previous one left, so each gets its own exact `used`/`remaining`, its own
 * accept/refuse decision and its own stored idempotent answer. Across processes the row lock
 * serialises the groups. The tenant's status and limit are read before, without any lock.
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
  const [head] = group as [Pending];
  let limit: number | null;
  try {
    limit = await loadRecordLimit(db, head.ctx.actor.workspaceId, head.input.tenantId, head.input.metric);
  } catch (error) {
    // Unknown tenant or metric, inactive tenant: the same answer for every record of the group.
    for (const pending of group) pending.reject(error);
    return;
  }
  let rows: Row[];
  try {
    rows = await applyInDatabase(db, group, limit, false);
    if (rows[0]?.outcome === "announce") {
      // A record crosses the 80 % mark or the limit: apply the group again in a transaction that
      // also records the crossing (activity, event, webhooks), once per crossing.
      rows = await db.transaction(async (tx) => {
        const applied = await applyInDatabase(tx, group, limit, true);
        if (limit === null) return applied;
        for (const [i, row] of applied.entries()) {
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
        return applied;
      });
    }
    if (rows.length !== group.length) throw new Error("usage record answered the wrong number of rows");
  } catch (error) {
    if (group.length === 1) {
      head.reject(error);
      return;
    }
    // Something failed for the whole group (e.g. a deadlock with another metric's group over a
    // reused key): apply its records one by one, in order, so each gets its own answer.
    for (const pending of group) await applyGroup(db, [pending]);
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

/** One statement: lock the counter, apply the group in order, write buckets, counter, refusals, keys. */
async function applyInDatabase(
  db: Executor,
  group: Pending[],
  limit: number | null,
  mayAnnounce: boolean,
): Promise<Row[]> {
  const [head] = group as [Pending];
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
    select outcome, used, response from tenantry_usage_record(
      ${head.ctx.actor.workspaceId}::text, ${head.input.tenantId}::text, ${head.input.metric}::text,
      ${limit}::bigint, ${limit === null ? null : limit * USAGE_THRESHOLD}::double precision,
      ${mayAnnounce}::boolean, ${window.start.toISOString()}::timestamptz, ${window.start.toISOString()}::text,
      ${new Date(floorHour(head.now.getTime())).toISOString()}::timestamptz, ${utcDay(head.now)}::date,
      ${IDEMPOTENCY_TTL}::interval, ${records}::jsonb)`);
  return rowsOf<Row>(result);
}
