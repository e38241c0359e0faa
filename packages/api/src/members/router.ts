import { membersContract } from "@tenantry/contracts/members";
import { procedure, router, WORKSPACE } from "../trpc";
import {
  acceptInvitation,
  createMembership,
  deleteMembership,
  getMembership,
  getUser,
  listMemberships,
  patchMembership,
  resendInvitation,
  revokeInvitation,
  transferOwnership,
} from "./service";

const tags = ["Members"];

export const membersRouter = router({
  list: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/memberships",
        tags,
        summary: "List a tenant's members, newest first",
      },
    })
    .input(membersContract.list.input)
    .output(membersContract.list.output)
    .query(({ ctx, input }) => {
      return listMemberships(ctx.db, ctx.actor.workspaceId, input);
    }),

  create: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/memberships",
        status: 201,
        tags,
        summary: "Invite someone by email, or add an existing user, to a tenant",
      },
    })
    .input(membersContract.create.input)
    .output(membersContract.create.output)
    .mutation(async ({ ctx, input }) => {
      const { email, userId, firstName, lastName, ...common } = input;
      const { membership, invitation } = await createMembership(
        ctx,
        userId !== undefined ? { ...common, userId } : { ...common, email: email!, firstName, lastName },
      );
      return { ...membership, invitation };
    }),

  get: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/memberships/{userId}",
        tags,
        summary: "One membership",
      },
    })
    .input(membersContract.get.input)
    .output(membersContract.get.output)
    .query(({ ctx, input }) => {
      return getMembership(ctx.db, ctx.actor.workspaceId, input.tenantId, input.userId);
    }),

  patch: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:write" },
      rest: {
        method: "PATCH",
        path: "/tenants/{tenantId}/memberships/{userId}",
        tags,
        summary: "Suspend, reactivate, or change a membership's type or externalId",
      },
    })
    .input(membersContract.patch.input)
    .output(membersContract.patch.output)
    .mutation(({ ctx, input }) => {
      return patchMembership(ctx, input);
    }),

  delete: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: null },
      rest: {
        method: "DELETE",
        path: "/tenants/{tenantId}/memberships/{userId}",
        status: 204,
        tags,
        summary: "Remove a member from the tenant (the user stays)",
      },
    })
    .input(membersContract.delete.input)
    .output(membersContract.delete.output)
    .mutation(async ({ ctx, input }) => {
      await deleteMembership(ctx, input);
    }),

  resendInvitation: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/memberships/{userId}/invitation/resend",
        tags,
        summary: "Issue a new invitation token (the old one stops working)",
      },
    })
    .input(membersContract.resendInvitation.input)
    .output(membersContract.resendInvitation.output)
    .mutation(({ ctx, input }) => {
      return resendInvitation(ctx, input);
    }),

  revokeInvitation: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/memberships/{userId}/invitation/revoke",
        tags,
        summary: "Withdraw a pending invitation",
      },
    })
    .input(membersContract.revokeInvitation.input)
    .output(membersContract.revokeInvitation.output)
    .mutation(({ ctx, input }) => {
      return revokeInvitation(ctx, input);
    }),

  acceptInvitation: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/invitations/accept",
        tags,
        summary: "Accept an invitation by its token (single use; expired or revoked ones are refused)",
      },
    })
    .input(membersContract.acceptInvitation.input)
    .output(membersContract.acceptInvitation.output)
    .mutation(({ ctx, input }) => acceptInvitation(ctx, input.token)),

  transferOwnership: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "members:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/ownership-transfer",
        tags,
        summary: "Make an active member the tenant's owner; the previous owner becomes an admin",
      },
    })
    .input(membersContract.transferOwnership.input)
    .output(membersContract.transferOwnership.output)
    .mutation(({ ctx, input }) => {
      return transferOwnership(ctx, input);
    }),

  getUser: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/users/{id}", tags, summary: "A user identity" },
    })
    .input(membersContract.getUser.input)
    .output(membersContract.getUser.output)
    .query(({ ctx, input }) => getUser(ctx.db, ctx.actor.workspaceId, input.id)),
});
