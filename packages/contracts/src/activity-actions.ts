/**
 * Every action the server records in the activity log, `domain.past_tense`. The server's
 * `recordActivity` accepts only these (an action missing here fails to compile), the activity list
 * filters by them, and the console offers exactly them. To record a new action, add it here in its
 * domain's group.
 */

/** Actions on one tenant and what it owns: they appear in the tenant's activity log. */
export const TENANT_ACTIVITY_ACTIONS = [
  "tenant.created",
  "tenant.updated",
  "tenant.fields_updated",
  "tenant.activated",
  "tenant.suspended",
  "tenant.archived",
  "tenant.deleted",
  "tenant.ownership_transferred",

  "membership.created",
  "membership.invited",
  "membership.invitation_resent",
  "membership.invitation_revoked",
  "membership.invitation_accepted",
  "membership.activated",
  "membership.reactivated",
  "membership.suspended",
  "membership.left",
  "membership.type_changed",
  "membership.updated",
  "membership.deleted",

  "role_binding.created",
  "role_binding.deleted",

  "group.created",
  "group.member_added",
  "group.member_removed",
  "group.deleted",

  "connection.created",
  "connection.connected",
  "connection.reauthorization_started",
  "connection.needs_reauth",
  "connection.disconnected",

  "usage.limit_set",
  "usage.limit_cleared",
  "usage.threshold_reached",
  "usage.limit_reached",

  "element.created",
  "element.deployed",
  "element.customized",
  "element.reset",
  "element.archived",
] as const;

/** Actions on the workspace's own settings: recorded with no tenant. */
export const WORKSPACE_ACTIVITY_ACTIONS = [
  "field_schema.updated",
  "workspace.allowed_origins_updated",
  "test_tenant.updated",

  "signing_key.created",
  "signing_key.revoked",

  "role.created",
  "role.updated",
  "role.deleted",
  "permission.created",
  "permission.updated",
  "permission.deleted",

  "app.created",
  "app.updated",
  "app.archived",

  "usage.metric_created",
  "usage.metric_updated",
  "usage.metric_deleted",

  "element_template.created",
  "element_template.updated",
  "element_template.archived",

  "webhook_endpoint.created",
  "webhook_endpoint.updated",
  "webhook_endpoint.secret_rotated",
  "webhook_endpoint.disabled",
  "webhook_endpoint.enabled",
  "webhook_endpoint.deleted",

  "operator.created",
  "operator.signed_in",
  "operator.disabled",
  "operator.enabled",
  "operator.removed",
  "operator.password_reset",
  "operator.password_changed",
  "operator.sessions_revoked",
] as const;

export type TenantActivityAction = (typeof TENANT_ACTIVITY_ACTIONS)[number];
export type WorkspaceActivityAction = (typeof WORKSPACE_ACTIVITY_ACTIONS)[number];
export type ActivityAction = TenantActivityAction | WorkspaceActivityAction;
