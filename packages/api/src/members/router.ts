import { membersContract } from "@tenantry/contracts/members";
import { procedure, router, WORKSPACE } from "../trpc";
import { acceptInvitation, resendInvitation, revokeInvitation } from "./invitations";
import {
  createMembership,
  deleteMembership,
  getMembership,
  listMemberships,
  patchMembership,
} from "./memberships";
import { transferOwnership } from "./ownership-transfer";
import { getUser } from "./users";

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
    .query(({ ctx, input }) => listMemberships(ctx, input)),

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
    .mutation(({ ctx, input }) => createMembership(ctx, input)),

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
    .query(({ ctx, input }) => getMembership(ctx, input)),

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
    .mutation(({ ctx, input }) => patchMembership(ctx, input)),

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
    .mutation(({ ctx, input }) => deleteMembership(ctx, input)),

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
    .mutation(({ ctx, input }) => resendInvitation(ctx, input)),

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
    .mutation(({ ctx, input }) => revokeInvitation(ctx, input)),

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
    .mutation(({ ctx, input }) => acceptInvitation(ctx, input)),

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
    .mutation(({ ctx, input }) => transferOwnership(ctx, input)),

  getUser: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/users/{id}", tags, summary: "A user identity" },
    })
    .input(membersContract.getUser.input)
    .output(membersContract.getUser.output)
    .query(({ ctx, input }) => getUser(ctx, input)),
});
