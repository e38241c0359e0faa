import { TENANT_ACTIVITY_ACTIONS, type TenantActivityAction } from "@tenantry/contracts/activity-actions";
import { EVENT_TYPES, type EventType } from "@tenantry/contracts/event-types";
import { isId } from "@tenantry/contracts/ids";

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

/** The event log's filters, kept in the URL; an unknown type or a malformed tenant id is dropped. */
export interface EventsSearch {
  type?: SubscribableEventType | undefined;
  tenantId?: string | undefined;
}
type SubscribableEventType = Exclude<EventType, "webhook_endpoint.test">;

export function eventsSearchOf(search: Record<string, unknown>): EventsSearch {
  const type = EVENT_TYPES.find((known) => known === search.type && known !== "webhook_endpoint.test");
  const tenantId =
    typeof search.tenantId === "string" && isId("tenant", search.tenantId) ? search.tenantId : undefined;
  return { type: type as SubscribableEventType | undefined, tenantId };
}
