import type { ActivityAction } from "@tenantry/contracts/activity-actions";
import type { EventType } from "@tenantry/contracts/events";

/**
 * The one table from what the activity log records to what is announced. An action missing here
 * is not announced (e.g. `group.created`, `operator.signed_in`); several actions may share an
 * event type, and the event's `data.action` keeps the precise one.
 */
export const EVENT_TYPE_OF_ACTION: Partial<Record<ActivityAction, EventType>> = {
  "tenant.created": "tenant.created",
  "tenant.updated": "tenant.updated",
  "tenant.deleted": "tenant.deleted",
  "tenant.suspended": "tenant.suspended",
  "tenant.activated": "tenant.activated",
  "tenant.archived": "tenant.archived",
  "tenant.fields_updated": "tenant.fields_updated",
  "tenant.ownership_transferred": "tenant.updated",

  "membership.created": "membership.created",
  "membership.updated": "membership.updated",
  "membership.type_changed": "membership.updated",
  "membership.activated": "membership.updated",
  "membership.left": "membership.updated",
  "membership.suspended": "membership.suspended",
  "membership.reactivated": "membership.reactivated",
  "membership.deleted": "membership.deleted",

  "membership.invited": "invitation.created",
  "membership.invitation_accepted": "invitation.accepted",
  "membership.invitation_revoked": "invitation.revoked",

  "role_binding.created": "role_binding.created",
  "role_binding.deleted": "role_binding.deleted",

  "connection.connected": "connection.connected",
  "connection.needs_reauth": "connection.needs_reauth",
  "connection.disconnected": "connection.disconnected",

  "usage.threshold_reached": "usage.threshold_reached",
  "usage.limit_reached": "usage.limit_reached",

  "field_schema.updated": "field_schema.updated",

  "element.deployed": "element.updated",
  "element.customized": "element.updated",
  "element.reset": "element.updated",

  "webhook_endpoint.disabled": "webhook_endpoint.disabled",
};
