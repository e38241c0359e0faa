import type {
  AcceptInvitationInput,
  Invitation,
  MemberRef,
  Membership,
  ResendInvitationInput,
} from "@tenantry/contracts/members";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { invitations, memberships } from "@tenantry/db/schema/members";
import { and, eq, gt, isNull } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { base64url, randomBytes, sha256Hex } from "../shared/crypto";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { lockTenant } from "./owners";
import { membershipRow, toMembership } from "./rows";

export const INVITATION_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A new single-use token for the membership, valid `days` from `now`; only its hash is stored. */
export async function issueInvitation(
  tx: Executor,
  workspaceId: string,
  membershipId: string,
  days: number,
  now: Date,
): Promise<Invitation> {
  const token = `tnt_inv_${base64url(randomBytes(32))}`;
  const expiresAt = new Date(now.getTime() + days * DAY_MS);
  const id = newId("inv");
  await tx
    .insert(invitations)
    .values({ workspaceId, id, membershipId, tokenHash: await sha256Hex(token), expiresAt });
  return { id, expiresAt: expiresAt.toISOString(), token };
}

/** Revokes the membership's open invitations (a resend, a revoke, or the member no longer invited). */
export async function closeInvitations(tx: Executor, workspaceId: string, membershipId: string, now: Date) {
  await tx
    .update(invitations)
    .set({ revokedAt: now })
    .where(
      and(
        eq(invitations.workspaceId, workspaceId),
        eq(invitations.membershipId, membershipId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
}

async function invitedMembership(tx: Executor, workspaceId: string, tenantId: string, userId: string) {
  const found = await membershipRow(tx, workspaceId, tenantId, userId);
  if (!found) throw notFound("Member", userId);
  if (found.membership.status !== "invited") {
    throw appError("CONFLICT", "conflict", `The member is ${found.membership.status}, not invited`);
  }
  return found;
}

/** A new token for a pending invitation; the old one stops working. */
export async function resendInvitation(
  ctx: ServiceContext,
  input: ResendInvitationInput,
): Promise<Invitation> {
  const workspaceId = ctx.actor.workspaceId;
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    await lockTenant(tx, workspaceId, input.tenantId);
    const found = await invitedMembership(tx, workspaceId, input.tenantId, input.userId);
    await closeInvitations(tx, workspaceId, found.membership.id, now);
    const invitation = await issueInvitation(
      tx,
      workspaceId,
      found.membership.id,
      input.expiresInDays ?? INVITATION_DAYS,
      now,
    );
    await recordActivity(tx, ctx, {
      tenantId: input.tenantId,
      action: "membership.invitation_resent",
      targetType: "membership",
      targetId: found.membership.id,
      after: { invitationId: invitation.id, expiresAt: invitation.expiresAt },
    });
    return invitation;
  });
}

/** Withdraws a pending invitation: the membership is marked `left` and frees its seat. */
export async function revokeInvitation(ctx: ServiceContext, input: MemberRef): Promise<Membership> {
  const workspaceId = ctx.actor.workspaceId;
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    await lockTenant(tx, workspaceId, input.tenantId);
    const found = await invitedMembership(tx, workspaceId, input.tenantId, input.userId);
    await closeInvitations(tx, workspaceId, found.membership.id, now);
    const [row] = await tx
      .update(memberships)
      .set({ status: "left", version: found.membership.version + 1, updatedAt: now })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.id, found.membership.id)))
      .returning();
    await recordActivity(tx, ctx, {
      tenantId: input.tenantId,
      action: "membership.invitation_revoked",
      targetType: "membership",
      targetId: found.membership.id,
      before: { status: "invited" },
      after: { status: "left" },
    });
    return toMembership(row!, found.user, found.roleKeys);
  });
}

/**
 * Accepts an invitation by its token (the host's backend calls this when the invited person signs
 * up): single-use, refused once expired (by the context's clock) or revoked. The membership becomes
 * active.
 */
export async function acceptInvitation(
  ctx: ServiceContext,
  input: AcceptInvitationInput,
): Promise<Membership> {
  const workspaceId = ctx.actor.workspaceId;
  const now = ctx.clock.now();
  const tokenHash = await sha256Hex(input.token);
  return ctx.db.transaction(async (tx) => {
    const [invitation] = await tx
      .select({ invitation: invitations, tenantId: memberships.tenantId, userId: memberships.userId })
      .from(invitations)
      .innerJoin(
        memberships,
        and(
          eq(memberships.workspaceId, invitations.workspaceId),
          eq(memberships.id, invitations.membershipId),
        ),
      )
      .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.tokenHash, tokenHash)));
    if (!invitation) throw appError("NOT_FOUND", "not_found", "No invitation has this token");
    await lockTenant(tx, workspaceId, invitation.tenantId);
    // Claimed under the tenant's lock: of two accepts at once, one wins and the other sees it used.
    const [claimed] = await tx
      .update(invitations)
      .set({ acceptedAt: now })
      .where(
        and(
          eq(invitations.workspaceId, workspaceId),
          eq(invitations.id, invitation.invitation.id),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, now),
        ),
      )
      .returning();
    if (!claimed) {
      const state = invitation.invitation.acceptedAt
        ? "used already"
        : invitation.invitation.revokedAt
          ? "revoked"
          : "expired";
      throw appError("CONFLICT", "invitation_invalid", `The invitation is ${state}`, { state });
    }
    const found = await membershipRow(tx, workspaceId, invitation.tenantId, invitation.userId);
    const [row] = await tx
      .update(memberships)
      .set({
        status: "active",
        joinedAt: found!.membership.joinedAt ?? now,
        version: found!.membership.version + 1,
        updatedAt: now,
      })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.id, found!.membership.id)))
      .returning();
    await recordActivity(tx, ctx, {
      tenantId: invitation.tenantId,
      action: "membership.invitation_accepted",
      targetType: "membership",
      targetId: found!.membership.id,
      before: { status: "invited" },
      after: { status: "active" },
    });
    return toMembership(row!, found!.user, found!.roleKeys);
  });
}
