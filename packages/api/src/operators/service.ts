import { normalizeEmail } from "@tenantry/contracts/email";
import type { operatorSchema } from "@tenantry/contracts/operators";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { operators } from "@tenantry/db/schema/operators";
import { and, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";

/** An operator as the contract answers it, plus the workspace it belongs to (which routers drop). */
export type Operator = z.infer<typeof operatorSchema> & { workspaceId: string };

/**
 * `passwordHash` is made by the caller (argon2id in the server): this package stays free of native code.
 * Takes `(db, …)`: the CLI and the console's setup create operators before anyone is signed in.
 *
 * Emails are stored as `normalizeEmail` of members has them (NFKC, lower case). Rows written with
 * the old trim-and-lower-case form need no migration: both ways in (setup and the CLI) have always
 * required `z.email()`, which admits only ASCII, and NFKC leaves ASCII as it is (operator-email.unit.test.ts).
 */
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

export interface SignInCandidate extends Operator {
  passwordHash: string | null;
  temporaryPasswordHash: string | null;
  temporaryPasswordExpiresAt: Date | null;
}

/**
 * Candidates for a sign-in: one per workspace that has an operator with this email, enabled ones
 * first (a disabled one is only there to say so to whoever knows its password). `(db, email)`:
 * nobody is signed in yet.
 */
export async function findOperatorsForSignIn(db: Executor, email: string): Promise<SignInCandidate[]> {
  const rows = await db
    .select()
    .from(operators)
    .where(eq(operators.email, normalizeEmail(email)))
    .orderBy(sql`${operators.disabledAt} is not null`, operators.createdAt)
    .limit(10);
  return rows.map((row) => ({
    ...toOperator(row),
    passwordHash: row.passwordHash,
    temporaryPasswordHash: row.temporaryPasswordHash,
    temporaryPasswordExpiresAt: row.temporaryPasswordExpiresAt,
  }));
}

/** The CLI's lookup (by the email given on its command line), before it acts as a system actor. */
export async function findOperatorByEmail(
  db: Executor,
  workspaceId: string,
  email: string,
): Promise<Operator | null> {
  const [row] = await db
    .select()
    .from(operators)
    .where(and(eq(operators.workspaceId, workspaceId), eq(operators.email, normalizeEmail(email))))
    .limit(1);
  return row ? toOperator(row) : null;
}

/** Asked before anyone is signed in (the console's setup screen, the start-up banner). */
export async function hasAnyOperator(db: Executor, workspaceId?: string): Promise<boolean> {
  const [row] = await db
    .select({ id: operators.id })
    .from(operators)
    .where(workspaceId ? eq(operators.workspaceId, workspaceId) : undefined)
    .limit(1);
  return Boolean(row);
}

export async function listOperators(ctx: ServiceContext): Promise<Operator[]> {
  const rows = await ctx.db
    .select()
    .from(operators)
    .where(eq(operators.workspaceId, ctx.actor.workspaceId))
    .orderBy(operators.createdAt);
  return rows.map(toOperator);
}

export function toOperator(row: typeof operators.$inferSelect): Operator {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    email: row.email,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
    status: row.disabledAt ? "disabled" : "active",
    disabledAt: row.disabledAt?.toISOString() ?? null,
    passwordChangeRequired: row.passwordHash === null,
  };
}
