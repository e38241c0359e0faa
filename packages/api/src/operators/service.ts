import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { operators } from "@tenantry/db/schema/operators";
import { and, eq, sql } from "drizzle-orm";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError } from "../shared/errors";

export interface Operator {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  createdAt: string;
  lastSignInAt: string | null;
  status: "active" | "disabled";
  disabledAt: string | null;
  /** A reset handed out a temporary password; the operator chooses their own at the next sign-in. */
  passwordChangeRequired: boolean;
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

export interface SignInCandidate extends Operator {
  passwordHash: string | null;
  temporaryPasswordHash: string | null;
  temporaryPasswordExpiresAt: Date | null;
}

/**
 * Candidates for a sign-in: one per workspace that has an operator with this email, enabled ones
 * first (a disabled one is only there to say so to whoever knows its password).
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
