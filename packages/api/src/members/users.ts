import { normalizeEmail } from "@tenantry/contracts/email";
import type { GetUserInput, User } from "@tenantry/contracts/members";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { users } from "@tenantry/db/schema/members";
import { and, eq } from "drizzle-orm";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { toUser, type UserRow } from "./rows";

export async function getUser(ctx: ServiceContext, input: GetUserInput): Promise<User> {
  const [row] = await ctx.db
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, ctx.actor.workspaceId), eq(users.id, input.id)));
  if (!row) throw notFound("User", input.id);
  return toUser(row);
}

/**
 * The user with this email (normalized), created if new. An `externalId` is set on a user that has
 * none; a user whose `externalId` differs is a conflict, never silently re-linked.
 */
export async function findOrCreateUser(
  tx: Executor,
  workspaceId: string,
  person: {
    email: string;
    firstName?: string | undefined;
    lastName?: string | undefined;
    externalId?: string | undefined;
  },
  now: Date,
): Promise<UserRow> {
  const emailNormalized = normalizeEmail(person.email);
  const [existing] = await tx
    .select()
    .from(users)
    .where(and(eq(users.workspaceId, workspaceId), eq(users.emailNormalized, emailNormalized)));
  if (existing) {
    if (!person.externalId || existing.externalId === person.externalId) return existing;
    if (existing.externalId) {
      throw appError("CONFLICT", "conflict", `The user ${existing.id} has another externalId`, {
        userId: existing.id,
      });
    }
    return setExternalId(tx, existing, person.externalId, now);
  }
  try {
    const [row] = await tx
      .insert(users)
      .values({
        workspaceId,
        id: newId("user"),
        email: person.email,
        emailNormalized,
        firstName: person.firstName ?? null,
        lastName: person.lastName ?? null,
        externalId: person.externalId ?? null,
      })
      .returning();
    return row!;
  } catch (error) {
    if (violatedUniqueConstraint(error) === "users_external_id_unique") {
      throw appError(
        "CONFLICT",
        "external_id_taken",
        `Another user has the externalId "${person.externalId}"`,
      );
    }
    throw error;
  }
}

/** Links a user that has no `externalId` yet to the host's id for them. */
export async function setExternalId(
  tx: Executor,
  user: UserRow,
  externalId: string,
  now: Date,
): Promise<UserRow> {
  try {
    const [row] = await tx
      .update(users)
      .set({ externalId, updatedAt: now })
      .where(and(eq(users.workspaceId, user.workspaceId), eq(users.id, user.id)))
      .returning();
    return row!;
  } catch (error) {
    if (violatedUniqueConstraint(error) === "users_external_id_unique") {
      throw appError("CONFLICT", "external_id_taken", `Another user has the externalId "${externalId}"`);
    }
    throw error;
  }
}
