import { idPattern } from "@tenantry/db/ids";
import { MEMBERSHIP_SOURCES, MEMBERSHIP_STATUSES, MEMBERSHIP_TYPES } from "@tenantry/db/schema/members";
import { z } from "zod";
import { assertTenantAccess, requirePermission } from "../auth/access";
import { pageInput, pageOutput } from "../shared/cursor";
import { tenantIdSchema } from "../tenants/schemas";
import { apiKeyProcedure, router, tenantProcedure } from "../trpc";
import { memberEmailSchema } from "./email";
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

export const userIdSchema = z
  .string()
  .regex(idPattern("user"), "must be `user_` followed by a UUIDv7")
  .describe("User id: `user_{uuidv7}`.");
const name = z.string().trim().min(1).max(200);
const externalId = z.string().trim().min(1).max(255);
const roleKeys = z.array(z.string().min(1).max(100)).max(20);

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  externalId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const membershipSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  userId: z.string(),
  user: userSchema,
  status: z.enum(MEMBERSHIP_STATUSES),
  type: z.enum(MEMBERSHIP_TYPES),
  source: z.enum(MEMBERSHIP_SOURCES),
  externalId: z.string().nullable(),
  invitedBy: z.string().nullable(),
  joinedAt: z.string().nullable(),
  roles: z.array(z.string()),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const invitationSchema = z.object({ id: z.string(), expiresAt: z.string(), token: z.string().optional() });

const createCommon = {
  tenantId: tenantIdSchema,
  type: z.enum(MEMBERSHIP_TYPES).optional().describe("Metadata, never a permission. Default `member`."),
  status: z
    .enum(["invited", "active"])
    .optional()
    .describe("Default `invited`: an invitation token is issued."),
  source: z.enum(MEMBERSHIP_SOURCES).optional(),
  externalId: externalId.optional().describe("The host's id for this user: an access token's `user.id`."),
  roles: roleKeys
    .optional()
    .describe("Role keys to bind at the tenant. Default: `owner` for owners, else `member`."),
  invitationExpiresInDays: z.number().int().min(1).max(30).optional(),
};

const createMembershipInput = z
  .strictObject({
    ...createCommon,
    email: memberEmailSchema.optional().describe("Invite by email (a new user is created if needed)."),
    firstName: name.optional(),
    lastName: name.optional(),
    userId: userIdSchema.optional().describe("Or add an existing user."),
  })
  .refine((input) => (input.email === undefined) !== (input.userId === undefined), {
    message: "give either email or userId",
    path: ["email"],
  });

const memberRef = z.strictObject({ tenantId: tenantIdSchema, userId: userIdSchema });

export const membersRouter = router({
  list: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/memberships",
        tags,
        summary: "List a tenant's members, newest first",
      },
    })
    .input(
      z.strictObject({
        tenantId: tenantIdSchema,
        status: z.enum(MEMBERSHIP_STATUSES).optional(),
        type: z.enum(MEMBERSHIP_TYPES).optional(),
        q: z.string().trim().min(1).max(200).optional().describe("Search in names and emails."),
        ...pageInput,
      }),
    )
    .output(pageOutput(membershipSchema))
    .query(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "members:read");
      return listMemberships(ctx.db, ctx.actor.workspaceId, input);
    }),

  create: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/memberships",
        status: 201,
        tags,
        summary: "Invite someone by email, or add an existing user, to a tenant",
      },
    })
    .input(createMembershipInput)
    .output(membershipSchema.extend({ invitation: invitationSchema.nullable() }))
    .mutation(async ({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      const { email, userId, firstName, lastName, ...common } = input;
      const { membership, invitation } = await createMembership(
        ctx,
        userId !== undefined ? { ...common, userId } : { ...common, email: email!, firstName, lastName },
      );
      return { ...membership, invitation };
    }),

  get: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/memberships/{userId}",
        tags,
        summary: "One membership",
      },
    })
    .input(memberRef)
    .output(membershipSchema)
    .query(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      requirePermission(ctx.actor, "members:read");
      return getMembership(ctx.db, ctx.actor.workspaceId, input.tenantId, input.userId);
    }),

  patch: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "PATCH",
        path: "/tenants/{tenantId}/memberships/{userId}",
        tags,
        summary: "Suspend, reactivate, or change a membership's type or externalId",
      },
    })
    .input(
      memberRef.extend({
        status: z.enum(["active", "suspended", "left"]).optional(),
        type: z.enum(MEMBERSHIP_TYPES).optional(),
        externalId: externalId.nullable().optional(),
        expectedVersion: z.number().int().min(1).optional(),
      }),
    )
    .output(membershipSchema)
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      return patchMembership(ctx, input);
    }),

  delete: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "DELETE",
        path: "/tenants/{tenantId}/memberships/{userId}",
        status: 204,
        tags,
        summary: "Remove a member from the tenant (the user stays)",
      },
    })
    .input(memberRef)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      await deleteMembership(ctx, input);
    }),

  resendInvitation: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/memberships/{userId}/invitation/resend",
        tags,
        summary: "Issue a new invitation token (the old one stops working)",
      },
    })
    .input(memberRef.extend({ expiresInDays: z.number().int().min(1).max(30).optional() }))
    .output(invitationSchema)
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      return resendInvitation(ctx, input);
    }),

  revokeInvitation: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/memberships/{userId}/invitation/revoke",
        tags,
        summary: "Withdraw a pending invitation",
      },
    })
    .input(memberRef)
    .output(membershipSchema)
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      return revokeInvitation(ctx, input);
    }),

  acceptInvitation: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/invitations/accept",
        tags,
        summary: "Accept an invitation by its token (single use; expired or revoked ones are refused)",
      },
    })
    .input(z.strictObject({ token: z.string().min(1).max(200) }))
    .output(membershipSchema)
    .mutation(({ ctx, input }) => acceptInvitation(ctx, input.token)),

  transferOwnership: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/ownership-transfer",
        tags,
        summary: "Make an active member the tenant's owner; the previous owner becomes an admin",
      },
    })
    .input(z.strictObject({ tenantId: tenantIdSchema, toUserId: userIdSchema }))
    .output(membershipSchema)
    .mutation(({ ctx, input }) => {
      assertTenantAccess(ctx.actor, input.tenantId);
      return transferOwnership(ctx, input);
    }),

  getUser: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/users/{id}", tags, summary: "A user identity" },
    })
    .input(z.strictObject({ id: userIdSchema }))
    .output(userSchema)
    .query(({ ctx, input }) => getUser(ctx.db, ctx.actor.workspaceId, input.id)),
});
