import type { WorkspaceActivityAction } from "@tenantry/contracts/activity-actions";
import type { operatorsContract } from "@tenantry/contracts/operators";
import type { Executor, Transaction } from "@tenantry/db/database";
import { operatorSessions, operators } from "@tenantry/db/schema/operators";
import { and, eq, gt, isNull, ne, type SQL } from "drizzle-orm";
import type { z } from "zod";
import { recordActivity } from "../activity/service";
import type { Actor } from "../actor";
import type { Clock } from "../shared/clock";
import { base64url, randomBytes, sha256Hex } from "../shared/crypto";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { type Operator, toOperator } from "./service";
import { clearAccountThrottle } from "./throttle";

type OperatorId = z.infer<typeof operatorsContract.disable.input>;
type PasswordReset = z.infer<typeof operatorsContract.resetPassword.output>;

/** How long the temporary password a reset hands out can be exchanged for one of the operator's own. */
export const TEMPORARY_PASSWORD_MS = 24 * 60 * 60 * 1000;

type OperatorRow = typeof operators.$inferSelect;

/**
 * Locks the workspace's active operators (in id order, so concurrent changes queue instead of
 * deadlocking) and then the target. The rule "a workspace keeps an active operator" is checked
 * under these locks: two operators disabling each other at once are serialized, and the second
 * finds itself the last one. On PostgreSQL the row locks hold across processes; a waiter re-reads a
 * row that changed meanwhile, so a freshly disabled operator no longer counts as active.
 */
async function lockOperator(
  tx: Transaction,
  workspaceId: string,
  id: string,
): Promise<{ target: OperatorRow; activeIds: string[] }> {
  const active = await tx
    .select({ id: operators.id })
    .from(operators)
    .where(and(eq(operators.workspaceId, workspaceId), isNull(operators.disabledAt)))
    .orderBy(operators.id)
    .for("update");
  const [target] = await tx
    .select()
    .from(operators)
    .where(and(eq(operators.workspaceId, workspaceId), eq(operators.id, id)))
    .for("update");
  if (!target) throw notFound("Operator", id);
  return { target, activeIds: active.map((row) => row.id) };
}

function refuseLastActive(target: OperatorRow, activeIds: string[], verb: string): void {
  if (target.disabledAt || activeIds.some((id) => id !== target.id)) return;
  throw appError(
    "CONFLICT",
    "conflict",
    `${target.email} is the workspace's last active operator: enable or add another operator before you ${verb} this one`,
    { reason: "last_active_operator" },
  );
}

async function endSessions(tx: Executor, target: OperatorRow, keepSessionId?: string): Promise<number> {
  const conditions: SQL[] = [
    eq(operatorSessions.workspaceId, target.workspaceId),
    eq(operatorSessions.operatorId, target.id),
  ];
  if (keepSessionId) conditions.push(ne(operatorSessions.id, keepSessionId));
  const ended = await tx
    .delete(operatorSessions)
    .where(and(...conditions))
    .returning({ id: operatorSessions.id });
  return ended.length;
}

function record(
  tx: Executor,
  context: Pick<ServiceContext, "actor" | "requestId" | "clock">,
  target: OperatorRow,
  action: WorkspaceActivityAction,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
) {
  return recordActivity(tx, context, {
    tenantId: null,
    action,
    targetType: "operator",
    targetId: target.id,
    before,
    after,
  });
}

/** Disables an operator: their sessions end at once and they cannot sign in until enabled again. */
export async function disableOperator(ctx: ServiceContext, { id }: OperatorId): Promise<Operator> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    const { target, activeIds } = await lockOperator(tx, workspaceId, id);
    if (target.disabledAt) return toOperator(target);
    refuseLastActive(target, activeIds, "disable");
    const [updated] = await tx
      .update(operators)
      .set({ disabledAt: ctx.clock.now() })
      .where(and(eq(operators.workspaceId, workspaceId), eq(operators.id, id)))
      .returning();
    const sessionsEnded = await endSessions(tx, target);
    await record(
      tx,
      ctx,
      target,
      "operator.disabled",
      { status: "active" },
      {
        status: "disabled",
        sessionsEnded,
      },
    );
    return toOperator(updated!);
  });
}

export async function enableOperator(ctx: ServiceContext, { id }: OperatorId): Promise<Operator> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    const { target } = await lockOperator(tx, workspaceId, id);
    if (!target.disabledAt) return toOperator(target);
    const [updated] = await tx
      .update(operators)
      .set({ disabledAt: null })
      .where(and(eq(operators.workspaceId, workspaceId), eq(operators.id, id)))
      .returning();
    await record(tx, ctx, target, "operator.enabled", { status: "disabled" }, { status: "active" });
    return toOperator(updated!);
  });
}

/**
 * Removes an operator and (by the foreign key's cascade) their sessions. The activity log keeps
 * their email and name, since the row that named them is gone.
 */
export async function removeOperator(ctx: ServiceContext, { id }: OperatorId): Promise<Operator> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    const { target, activeIds } = await lockOperator(tx, workspaceId, id);
    refuseLastActive(target, activeIds, "remove");
    const sessionsEnded = await endSessions(tx, target);
    await tx.delete(operators).where(and(eq(operators.workspaceId, workspaceId), eq(operators.id, id)));
    await record(
      tx,
      ctx,
      target,
      "operator.removed",
      { email: target.email, name: target.name, status: target.disabledAt ? "disabled" : "active" },
      { sessionsEnded },
    );
    return toOperator(target);
  });
}

/**
 * Resets an operator's password: the old one stops working, every session ends, a lockout on the
 * account is lifted, and a random temporary password comes back (to be shown once). It signs in
 * only to choose a new password, within `TEMPORARY_PASSWORD_MS`; only its SHA-256 is stored, which
 * is enough for 144 random bits.
 */
export async function resetOperatorPassword(
  ctx: ServiceContext,
  { id }: OperatorId,
): Promise<PasswordReset & { operator: Operator }> {
  const workspaceId = ctx.actor.workspaceId;
  const temporaryPassword = base64url(randomBytes(18));
  const expiresAt = new Date(ctx.clock.now().getTime() + TEMPORARY_PASSWORD_MS);
  const temporaryPasswordHash = await sha256Hex(temporaryPassword);
  return ctx.db.transaction(async (tx) => {
    const { target } = await lockOperator(tx, workspaceId, id);
    const [updated] = await tx
      .update(operators)
      .set({ passwordHash: null, temporaryPasswordHash, temporaryPasswordExpiresAt: expiresAt })
      .where(and(eq(operators.workspaceId, workspaceId), eq(operators.id, id)))
      .returning();
    const sessionsEnded = await endSessions(tx, target);
    await clearAccountThrottle(tx, target.email);
    await record(tx, ctx, target, "operator.password_reset", null, {
      passwordChangeRequired: true,
      sessionsEnded,
    });
    return { operator: toOperator(updated!), temporaryPassword, expiresAt: expiresAt.toISOString() };
  });
}

/**
 * Sets an operator's password outright (the CLI, with a password chosen by whoever runs it): every
 * session ends and a lockout on the account is lifted. `passwordHash` is made by the server.
 */
export async function setOperatorPassword(
  ctx: ServiceContext,
  { id, passwordHash }: OperatorId & { passwordHash: string },
): Promise<Operator> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    const { target } = await lockOperator(tx, workspaceId, id);
    const [updated] = await tx
      .update(operators)
      .set({ passwordHash, temporaryPasswordHash: null, temporaryPasswordExpiresAt: null })
      .where(and(eq(operators.workspaceId, workspaceId), eq(operators.id, id)))
      .returning();
    const sessionsEnded = await endSessions(tx, target);
    await clearAccountThrottle(tx, target.email);
    await record(tx, ctx, target, "operator.password_reset", null, {
      passwordChangeRequired: false,
      sessionsEnded,
    });
    return toOperator(updated!);
  });
}

/**
 * Ends an operator's sessions everywhere. `keepSessionId` spares one: an operator signing out
 * their other sessions keeps the one they are using.
 */
export async function revokeOperatorSessions(
  ctx: ServiceContext,
  { id, keepSessionId }: OperatorId & { keepSessionId?: string | undefined },
): Promise<{ operator: Operator; sessionsEnded: number }> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    const { target } = await lockOperator(tx, workspaceId, id);
    const sessionsEnded = await endSessions(tx, target, keepSessionId);
    await record(tx, ctx, target, "operator.sessions_revoked", null, { sessionsEnded });
    return { operator: toOperator(target), sessionsEnded };
  });
}

/**
 * At sign-in with a reset's temporary password: the operator's own password replaces it. Only if
 * the same temporary password is still pending and fresh (at `now`), so a second reset meanwhile
 * wins. `(db, …)`: the operator is not signed in yet, so there is no actor to take a context from.
 */
export async function exchangeTemporaryPassword(
  db: Executor,
  operator: { workspaceId: string; id: string; temporaryPasswordHash: string },
  passwordHash: string,
  requestId: string,
  clock: Clock,
): Promise<boolean> {
  const now = clock.now();
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(operators)
      .set({ passwordHash, temporaryPasswordHash: null, temporaryPasswordExpiresAt: null })
      .where(
        and(
          eq(operators.workspaceId, operator.workspaceId),
          eq(operators.id, operator.id),
          eq(operators.temporaryPasswordHash, operator.temporaryPasswordHash),
          gt(operators.temporaryPasswordExpiresAt, now),
        ),
      )
      .returning();
    if (!updated) return false;
    const actor: Actor = {
      type: "operator",
      workspaceId: operator.workspaceId,
      operatorId: operator.id,
      sessionId: "",
    };
    await record(tx, { actor, requestId, clock }, updated, "operator.password_changed", null, {
      passwordChangeRequired: false,
    });
    return true;
  });
}
