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

export const membersContract = {
  list: query({
    input: z.strictObject({
      tenantId: tenantIdSchema,
      status: z.enum(MEMBERSHIP_STATUSES).optional(),
      type: z.enum(MEMBERSHIP_TYPES).optional(),
      q: z.string().trim().min(1).max(200).optional().describe("Search in names and emails."),
      ...pageInput,
    }),
    output: pageOutput(membershipSchema),
  }),
  create: mutation({
    input: createMembershipInput,
    output: membershipSchema.extend({ invitation: invitationSchema.nullable() }),
  }),
  get: query({ input: memberRef, output: membershipSchema }),
  patch: mutation({
    input: memberRef.extend({
      status: z.enum(["active", "suspended", "left"]).optional(),
      type: z.enum(MEMBERSHIP_TYPES).optional(),
      externalId: externalId.nullable().optional(),
      expectedVersion: z.number().int().min(1).optional(),
    }),
    output: membershipSchema,
  }),
  delete: mutation({ input: memberRef, output: z.void() }),
  resendInvitation: mutation({
    input: memberRef.extend({ expiresInDays: z.number().int().min(1).max(30).optional() }),
    output: invitationSchema,
  }),
  revokeInvitation: mutation({ input: memberRef, output: membershipSchema }),
  acceptInvitation: mutation({
    input: z.strictObject({ token: z.string().min(1).max(200) }),
    output: membershipSchema,
  }),
  transferOwnership: mutation({
    input: z.strictObject({ tenantId: tenantIdSchema, toUserId: userIdSchema }),
    output: membershipSchema,
  }),
  getUser: query({ input: z.strictObject({ id: userIdSchema }), output: userSchema }),
};
