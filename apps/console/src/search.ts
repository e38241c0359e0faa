import { TENANT_ACTIVITY_ACTIONS, type TenantActivityAction } from "@tenantry/contracts/activity-actions";

/** An action from the URL, if it is one the server records; an old or mistyped link shows everything. */
export function activityActionOf(value: unknown): TenantActivityAction | undefined {
  return TENANT_ACTIVITY_ACTIONS.find((action) => action === value);
}

/** The tenants list's filters and page, kept in the URL so every view can be linked to. */
export interface TenantsSearch {
  q?: string | undefined;
  status?: "active" | "suspended" | "archived" | undefined;
  kind?: "standard" | "enterprise" | "trial" | undefined;
  plan?: string | undefined;
  cursor?: string | undefined;
}
