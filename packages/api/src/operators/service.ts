import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { operatorSignInAttempts, operators } from "@tenantry/db/schema/operators";
import { and, eq, isNull, sql } from "drizzle-orm";
import { sha256Hex } from "../shared/crypto";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError } from "../shared/errors";

/** Sign-in attempts allowed per (email, client address) in one window. */
export const SIGN_IN_ATTEMPTS_PER_WINDOW = 5;
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;

export interface Operator {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  createdAt: string;
  lastSignInAt: string | null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `passwordHash` is made by the caller (argon2id in the server): this package stays free of native code. */
export async function createOperator(
  db: Executor,
  input: { workspaceId: string; email: string; name: string; passwordHash: string },
): Promise<Operator> {
  try {
    const [row] = await db
      .insert(operators)
      .values({
        workspaceId: input.workspaceId,
        id: newId("op"),
        email: normalizeEmail(input.email),
        name: input.name.trim(),
        passwordHash: input.passwordHash,
      })
      .returning();
    return toOperator(row!);
  } catch (error) {
    if (violatedUniqueConstraint(error) === "operators_email_unique") {
      throw appError("CONFLICT", "email_taken", `An operator with the email ${input.email} already exists`);
    }
    throw error;
  }
}

/** Candidates for a sign-in: one per workspace that has an enabled operator with this email. */
export async function findOperatorsForSignIn(
  db: Executor,
  email: string,
): Promise<(Operator & { passwordHash: string })[]> {
  const rows = await db
    .select()
    .from(operators)
    .where(and(eq(operators.email, normalizeEmail(email)), isNull(operators.disabledAt)))
    .orderBy(operators.createdAt)
    .limit(10);
  return rows.map((row) => ({ ...toOperator(row), passwordHash: row.passwordHash }));
}

export async function hasAnyOperator(db: Executor, workspaceId?: string): Promise<boolean> {
  const [row] = await db
    .select({ id: operators.id })
    .from(operators)
    .where(workspaceId ? eq(operators.workspaceId, workspaceId) : undefined)
    .limit(1);
  return Boolean(row);
}

export async function listOperators(db: Executor, workspaceId: string): Promise<Operator[]> {
  const rows = await db
    .select()
    .from(operators)
    .where(eq(operators.workspaceId, workspaceId))
    .orderBy(operators.createdAt);
  return rows.map(toOperator);
}

async function attemptKey(email: string, address: string): Promise<string> {
  return sha256Hex(`${normalizeEmail(email)}|${address}`);
}

/**
 * Counts a sign-in attempt before the password is checked, in one statement, so concurrent
 * attempts from several processes cannot slip past the limit. Answers the seconds to wait when the
 * limit is reached, else null.
 */
export async function countSignInAttempt(
  db: Executor,
  email: string,
  address: string,
): Promise<number | null> {
  const key = await attemptKey(email, address);
  const windowSeconds = SIGN_IN_WINDOW_MS / 1000;
  const stale = sql`${operatorSignInAttempts.windowStartedAt} < now() - make_interval(secs => ${windowSeconds})`;
  const [row] = await db
    .insert(operatorSignInAttempts)
    .values({ key, attempts: 1 })
    .onConflictDoUpdate({
      target: operatorSignInAttempts.key,
      set: {
        attempts: sql`case when ${stale} then 1 else ${operatorSignInAttempts.attempts} + 1 end`,
        windowStartedAt: sql`case when ${stale} then now() else ${operatorSignInAttempts.windowStartedAt} end`,
      },
    })
    .returning({
      attempts: operatorSignInAttempts.attempts,
      retryAfter: sql<number>`ceil(extract(epoch from (${operatorSignInAttempts.windowStartedAt} + make_interval(secs => ${windowSeconds}) - now())))::int`,
    });
  if (row && row.attempts > SIGN_IN_ATTEMPTS_PER_WINDOW) return Math.max(1, Number(row.retryAfter));
  return null;
}

/** A successful sign-in forgives the failures before it. */
export async function clearSignInAttempts(db: Executor, email: string, address: string): Promise<void> {
  await db
    .delete(operatorSignInAttempts)
    .where(eq(operatorSignInAttempts.key, await attemptKey(email, address)));
}

function toOperator(row: typeof operators.$inferSelect): Operator {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    email: row.email,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
  };
}
