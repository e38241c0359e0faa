import { z } from "zod";
import { memberEmailSchema } from "./email.js";
import { idPattern } from "./ids.js";
import { MEMBERSHIP_SOURCES, MEMBERSHIP_STATUSES, MEMBERSHIP_TYPES } from "./membership-values.js";
import { pageInput, pageOutput } from "./page.js";
import { mutation, query } from "./procedures.js";
import { tenantIdSchema } from "./tenants.js";

// The values live in a zod-free file so the widgets can import them without zod's runtime.
export {
  BINDING_SUBJECTS,
  MEMBERSHIP_SOURCES,
  MEMBERSHIP_STATUSES,
  MEMBERSHIP_TYPES,
  type MembershipSource,
  type MembershipStatus,
  type MembershipType,
} from "./membership-values.js";

export const userIdSchema = z
  .string()
  .regex(idPattern("user"), "must be `user_` followed by a UUIDv7")
  .describe("User id: `user_{uuidv7}`.");

export const name = z.string().trim().min(1).max(200);

export const externalId = z.string().trim().min(1).max(255);

export const roleKeys = z.array(z.string().min(1).max(100)).max(20);

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

export const invitationSchema = z.object({
  id: z.string(),
  expiresAt: z.string(),
  token: z.string().optional(),
});

export const createCommon = {
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

export const createMembershipInput = z
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

export const memberRef = z.strictObject({ tenantId: tenantIdSchema, userId: userIdSchema });

export const createdMembershipSchema = membershipSchema.extend({ invitation: invitationSchema.nullable() });

export const listMembershipsInput = z.strictObject({
  tenantId: tenantIdSchema,
  status: z.enum(MEMBERSHIP_STATUSES).optional(),
  type: z.enum(MEMBERSHIP_TYPES).optional(),
  q: z.string().trim().min(1).max(200).optional().describe("Search in names and emails."),
  ...pageInput,
});

export const patchMembershipInput = memberRef.extend({
  status: z.enum(["active", "suspended", "left"]).optional(),
  type: z.enum(MEMBERSHIP_TYPES).optional(),
  externalId: externalId.nullable().optional(),
  expectedVersion: z.number().int().min(1).optional(),
});

export const resendInvitationInput = memberRef.extend({
  expiresInDays: z.number().int().min(1).max(30).optional(),
});

export const acceptInvitationInput = z.strictObject({ token: z.string().min(1).max(200) });

export const transferOwnershipInput = z.strictObject({ tenantId: tenantIdSchema, toUserId: userIdSchema });

export const getUserInput = z.strictObject({ id: userIdSchema });

export type User = z.infer<typeof userSchema>;
export type Membership = z.infer<typeof membershipSchema>;
export type Invitation = z.infer<typeof invitationSchema>;
export type CreatedMembership = z.infer<typeof createdMembershipSchema>;
export type MemberRef = z.infer<typeof memberRef>;
export type CreateMembershipInput = z.infer<typeof createMembershipInput>;
export type ListMembershipsInput = z.infer<typeof listMembershipsInput>;
export type PatchMembershipInput = z.infer<typeof patchMembershipInput>;
export type ResendInvitationInput = z.infer<typeof resendInvitationInput>;
export type AcceptInvitationInput = z.infer<typeof acceptInvitationInput>;
export type TransferOwnershipInput = z.infer<typeof transferOwnershipInput>;
export type GetUserInput = z.infer<typeof getUserInput>;

export const membersContract = {
  list: query({ input: listMembershipsInput, output: pageOutput(membershipSchema) }),
  create: mutation({ input: createMembershipInput, output: createdMembershipSchema }),
  get: query({ input: memberRef, output: membershipSchema }),
  patch: mutation({ input: patchMembershipInput, output: membershipSchema }),
  delete: mutation({ input: memberRef, output: z.void() }),
  resendInvitation: mutation({ input: resendInvitationInput, output: invitationSchema }),
  revokeInvitation: mutation({ input: memberRef, output: membershipSchema }),
  acceptInvitation: mutation({ input: acceptInvitationInput, output: membershipSchema }),
  transferOwnership: mutation({ input: transferOwnershipInput, output: membershipSchema }),
  getUser: query({ input: getUserInput, output: userSchema }),
};
