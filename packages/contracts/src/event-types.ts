// The event types alone, without the schemas (no zod): the console needs the list in its first load.

/**
 * What Tenantry announces, to hosts that pull (`GET /events`) and to webhook endpoints. Each is
 * written in the transaction of the change it describes.
 */
export const EVENT_TYPES = [
  "tenant.created",
  "tenant.updated",
  "tenant.deleted",
  "tenant.suspended",
  "tenant.activated",
  "tenant.archived",
  "tenant.fields_updated",
  "membership.created",
  "membership.updated",
  "membership.suspended",
  "membership.reactivated",
  "membership.deleted",
  "invitation.created",
  "invitation.accepted",
  "invitation.revoked",
  "role_binding.created",
  "role_binding.deleted",
  "connection.connected",
  "connection.needs_reauth",
  "connection.disconnected",
  "usage.threshold_reached",
  "usage.limit_reached",
  "field_schema.updated",
  "element.updated",
  "webhook_endpoint.disabled",
  /** Sent by `POST /webhook-endpoints/{id}/test` to that endpoint only; never stored or listed. */
  "webhook_endpoint.test",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
