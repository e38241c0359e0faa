import type { PatchTenantInput, PutTenantInput, Tenant, TenantRecord } from "@tenantry/contracts/tenants";
import type { ServiceContext } from "../shared/service-context";
import { changeTenant, fieldChanges } from "./change";
import { credentialChanges } from "./credentials";
import { withFieldsStatusOne } from "./fields-status";
import { toColumns } from "./rows";

/** What PUT resets a field to when the body leaves it out. Identity (`internalId`, `slug`) stays. */
const PUT_DEFAULTS = {
  externalId: null,
  kind: "standard",
  planKey: null,
  trial: false,
  trialEndsAt: null,
  paymentStatus: "none",
  mfa: "optional",
  locale: null,
  logo: null,
  onboarded: false,
  federationConnection: null,
  billingEmail: null,
  technicalContactEmail: null,
  maxUsers: null,
  maxWorkspaces: null,
  maxProjects: null,
  maxEnvironments: null,
  aiCreditsRolling30DayLimit: null,
  metadata: {},
} as const satisfies Partial<Record<keyof PutTenantInput, unknown>>;

/** PATCH changes only what the body names; `fields` merge into the current values. */
export function patchTenant(ctx: ServiceContext, input: PatchTenantInput): Promise<Tenant> {
  return writeProfile(ctx, input, "merge");
}

/** PUT replaces the profile; `fields` when given replaces the plain fields; credentials only when given. */
export function putTenant(ctx: ServiceContext, input: PutTenantInput): Promise<Tenant> {
  return writeProfile(ctx, input, "replace");
}

async function writeProfile(
  ctx: ServiceContext,
  input: PatchTenantInput | PutTenantInput,
  mode: "merge" | "replace",
): Promise<Tenant> {
  const { id, expectedVersion, fields, credentials, ...profile } = input;
  const fromTokenClaims = ctx.actor.type === "access_token";
  const changed = await changeTenant(
    ctx,
    { id, expectedVersion, action: "tenant.updated" },
    async (current, tx) => ({
      ...toColumns(mode === "replace" ? { ...PUT_DEFAULTS, ...profile } : profile),
      ...(fields ? await fieldChanges(ctx, tx, current, fields, { mode, fromTokenClaims }) : {}),
      ...(credentials !== undefined ? await credentialChanges(ctx, id, credentials) : {}),
    }),
  );
  return withFieldsStatusOne(ctx.db, ctx.actor.workspaceId, changed);
}

/** Changes only the fields: the widgets' and the tokens' way in. */
export function patchTenantFields(
  ctx: ServiceContext,
  input: {
    id: string;
    fields: Record<string, unknown>;
    expectedVersion?: number | undefined;
    /**
     * The values come from a token's `fields` claim, which travels through the browser and its
     * logs: such values may not set secrets. A widget's PATCH (a user typing a secret into a form
     * over HTTPS) may.
     */
    fromTokenClaims?: boolean;
  },
): Promise<TenantRecord> {
  return changeTenant(
    ctx,
    { id: input.id, expectedVersion: input.expectedVersion, action: "tenant.fields_updated" },
    (current, tx) =>
      fieldChanges(ctx, tx, current, input.fields, {
        mode: "merge",
        fromTokenClaims: input.fromTokenClaims ?? false,
      }),
  );
}
