import { z } from "zod";
import { memberEmailSchema } from "./email.js";
import { idPattern } from "./ids.js";
import { jsonObject } from "./json.js";
import { pageInput, pageOutput } from "./page.js";
import { mutation, query } from "./procedures.js";

export const TENANT_KINDS = ["standard", "enterprise", "trial"] as const;
export const TENANT_STATUSES = ["active", "suspended", "archived"] as const;
export const PAYMENT_STATUSES = ["none", "trialing", "current", "past_due", "unpaid", "canceled"] as const;
export const MFA_POLICIES = ["off", "optional", "required"] as const;

/** Request and response shapes of the tenants API, side by side. zod is their single source. */

export const tenantIdSchema = z
  .string()
  .regex(
    idPattern("tenant"),
    "must be `tenant_` followed by a UUIDv7, e.g. tenant_01890a5d-ac96-774b-bcce-b302099a8057",
  )
  .describe("Tenant id: `tenant_{uuidv7}`.");

export const slugSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    "must be lowercase letters, digits and hyphens, starting and ending with a letter or digit",
  )
  .describe("URL-safe, unique in the workspace.");

const externalRef = z.string().trim().min(1).max(255);
const limitSchema = z.number().int().min(0).max(2_147_483_647).nullable();
const emailSchema = z.email().max(320);
const localeSchema = z
  .string()
  .max(35)
  .refine((value) => {
    try {
      return Intl.getCanonicalLocales(value).length === 1;
    } catch {
      return false;
    }
  }, "must be a BCP 47 language tag such as `en` or `sv-SE`");
const httpUrlSchema = z.url({ protocol: /^https?$/ }).max(2048);

export const ownerInputSchema = z.strictObject({
  email: memberEmailSchema,
  externalId: externalRef.optional().describe("The host's id for this user: an access token's `user.id`."),
  firstName: z.string().trim().max(200).optional(),
  lastName: z.string().trim().max(200).optional(),
});

/** The fields a client may write, each optional here; create and put say which are required. */
const writableFields = {
  internalId: externalRef.describe("The host's id for this tenant: the `sub` of its access tokens."),
  externalId: externalRef.nullable().describe("Another id the host keeps, e.g. a billing customer id."),
  name: z.string().trim().min(1).max(200),
  slug: slugSchema,
  kind: z.enum(TENANT_KINDS),
  planKey: z.string().trim().min(1).max(100).nullable(),
  trial: z.boolean(),
  trialEndsAt: z.iso.datetime({ offset: true }).nullable(),
  paymentStatus: z.enum(PAYMENT_STATUSES),
  mfa: z.enum(MFA_POLICIES).describe("Whether members must use MFA: off, optional or required."),
  locale: localeSchema.nullable(),
  logo: httpUrlSchema.nullable(),
  onboarded: z.boolean(),
  federationConnection: z.string().trim().min(1).max(255).nullable(),
  billingEmail: emailSchema.nullable(),
  technicalContactEmail: emailSchema.nullable(),
  maxUsers: limitSchema,
  maxWorkspaces: limitSchema,
  maxProjects: limitSchema,
  maxEnvironments: limitSchema,
  aiCreditsRolling30DayLimit: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
  metadata: jsonObject("Free-form JSON object for the host's own use (at most 16 KiB)."),
  fields: jsonObject(
    "Custom field values, checked against the workspace's field schema. PATCH merges (null removes a key).",
    {
      maxBytes: 64 * 1024,
    },
  ),
  credentials: jsonObject(
    "Write-only secrets for the host's backend; sealed, never returned by reads. null clears.",
    {
      maxBytes: 16 * 1024,
    },
  ).nullable(),
};

type WritableKey = keyof typeof writableFields;
export const WRITABLE_KEYS = Object.keys(writableFields) as WritableKey[];

const optionalWritable = Object.fromEntries(
  Object.entries(writableFields).map(([key, schema]) => [key, schema.optional()]),
) as { [K in WritableKey]: z.ZodOptional<(typeof writableFields)[K]> };

const expectedVersion = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe("Fail with 409 unless the tenant is still at this version (REST: `If-Match`).");

export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .describe("Retries with the same key and body answer the same tenant (REST: `Idempotency-Key`).");

export const createTenantInput = z.strictObject({
  ...optionalWritable,
  id: tenantIdSchema.optional().describe("Optional client-chosen id: `tenant_{uuidv7}`."),
  name: writableFields.name,
  owner: ownerInputSchema
    .optional()
    .describe("The tenant's first owner (a member, added with the members API)."),
  idempotencyKey: idempotencyKeySchema,
});

export const patchTenantInput = z.strictObject({
  ...optionalWritable,
  id: tenantIdSchema,
  expectedVersion,
});

export const putTenantInput = z.strictObject({
  ...optionalWritable,
  id: tenantIdSchema,
  name: writableFields.name,
  expectedVersion,
});

export const tenantRefInput = z.strictObject({ id: tenantIdSchema });

export const statusChangeInput = z.strictObject({ id: tenantIdSchema, expectedVersion });

export const listTenantsInput = z.strictObject({
  ...pageInput,
  status: z.enum(TENANT_STATUSES).optional(),
  kind: z.enum(TENANT_KINDS).optional(),
  internalId: externalRef.optional(),
  planKey: z.string().trim().min(1).max(100).optional().describe("Only tenants on this plan."),
  q: z.string().trim().min(1).max(200).optional().describe("Matches name, slug, internal and external id."),
});

/**
 * How a tenant's field values stand against the current field schema. A token creates its tenant
 * even when required fields are missing, and a schema change never rewrites stored values, so a
 * tenant may be incomplete: the fields form asks for what is missing.
 */
export const fieldsStatusSchema = z
  .object({
    complete: z.boolean().describe("True when no required field is missing and every value fits."),
    missing: z.array(z.string()).describe("Required fields without a value, in display order."),
    invalid: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .describe("Stored values that no longer fit the schema, with the rule they break."),
  })
  .meta({ description: "The tenant's fields against the current field schema." });

export const tenantSchema = z.object({
  id: z.string(),
  internalId: z.string(),
  externalId: z.string().nullable(),
  name: z.string(),
  slug: z.string(),
  kind: z.enum(TENANT_KINDS),
  status: z.enum(TENANT_STATUSES),
  planKey: z.string().nullable(),
  trial: z.boolean(),
  trialEndsAt: z.string().nullable(),
  paymentStatus: z.enum(PAYMENT_STATUSES),
  mfa: z.enum(MFA_POLICIES),
  locale: z.string().nullable(),
  logo: z.string().nullable(),
  onboarded: z.boolean(),
  federationConnection: z.string().nullable(),
  billingEmail: z.string().nullable(),
  technicalContactEmail: z.string().nullable(),
  ownerUserId: z.string().nullable(),
  maxUsers: z.number().nullable(),
  maxWorkspaces: z.number().nullable(),
  maxProjects: z.number().nullable(),
  maxEnvironments: z.number().nullable(),
  aiCreditsRolling30DayLimit: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  fields: z.record(z.string(), z.unknown()),
  /** Names of the secret fields that hold a value; the values are never read back. */
  secretFieldsSet: z.array(z.string()),
  hasCredentials: z.boolean(),
  credentialsUpdatedAt: z.string().nullable(),
  scopeId: z.string(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  fieldsStatus: fieldsStatusSchema,
});

export const tenantPageSchema = pageOutput(tenantSchema);

export const deletedTenantSchema = z.object({ id: z.string(), deleted: z.literal(true) });

export const tenantCredentialsSchema = z.object({
  credentials: z.record(z.string(), z.unknown()).nullable(),
  updatedAt: z.string().nullable(),
});

export const tenantSecretFieldsSchema = z.object({ values: z.record(z.string(), z.unknown()) });

export type Tenant = z.infer<typeof tenantSchema>;
export type FieldsStatus = z.infer<typeof fieldsStatusSchema>;
/** A tenant as stored (and as the activity log keeps it): without the computed `fieldsStatus`. */
export type TenantRecord = Omit<Tenant, "fieldsStatus">;
export type CreateTenantInput = z.infer<typeof createTenantInput>;
export type PatchTenantInput = z.infer<typeof patchTenantInput>;
export type PutTenantInput = z.infer<typeof putTenantInput>;
export type ListTenantsInput = z.infer<typeof listTenantsInput>;
export type TenantRefInput = z.infer<typeof tenantRefInput>;
export type StatusChangeInput = z.infer<typeof statusChangeInput>;
export type TenantPage = z.infer<typeof tenantPageSchema>;
export type DeletedTenant = z.infer<typeof deletedTenantSchema>;
export type TenantCredentials = z.infer<typeof tenantCredentialsSchema>;
export type TenantSecretFields = z.infer<typeof tenantSecretFieldsSchema>;

export const tenantsContract = {
  create: mutation({ input: createTenantInput, output: tenantSchema }),
  get: query({ input: tenantRefInput, output: tenantSchema }),
  list: query({ input: listTenantsInput, output: tenantPageSchema }),
  patch: mutation({ input: patchTenantInput, output: tenantSchema }),
  put: mutation({ input: putTenantInput, output: tenantSchema }),
  delete: mutation({ input: statusChangeInput, output: deletedTenantSchema }),
  suspend: mutation({ input: statusChangeInput, output: tenantSchema }),
  archive: mutation({ input: statusChangeInput, output: tenantSchema }),
  activate: mutation({ input: statusChangeInput, output: tenantSchema }),
  credentials: query({ input: tenantRefInput, output: tenantCredentialsSchema }),
  secretFields: query({ input: tenantRefInput, output: tenantSecretFieldsSchema }),
};
