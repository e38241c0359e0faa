/**
 * What each widget action needs, in one place: the procedures it calls and every permission the
 * server requires for them (the procedures' own plus the services' rules, such as "grant only what
 * you hold"). A widget offers an action only when `/me`'s permissions cover it, so a token is never
 * shown a button the server would refuse. `access.unit.test.ts` checks this map against the
 * router's access declarations, so the two cannot drift apart.
 */
export const WIDGET_ACTIONS = {
  "members.view": { procedures: ["members.list"], permissions: ["members:read"] },
  /** Roles are shown by name; without roles:read the table shows members only. */
  "members.viewRoles": { procedures: ["roles.list"], permissions: ["roles:read"] },
  /**
   * Inviting binds a role (the chosen one, else "member"): the server asks for roles:write and
   * every permission of that role (see `mayInvite`), and the widget needs roles:read to know them.
   */
  "members.invite": {
    procedures: ["members.create", "roles.list"],
    permissions: ["members:write", "roles:read", "roles:write"],
  },
  "members.changeType": { procedures: ["members.patch"], permissions: ["members:write"] },
  "members.suspend": { procedures: ["members.patch"], permissions: ["members:write"] },
  "members.reactivate": { procedures: ["members.patch"], permissions: ["members:write"] },
  "members.remove": { procedures: ["members.delete"], permissions: ["members:write"] },
  "members.resendInvitation": { procedures: ["members.resendInvitation"], permissions: ["members:write"] },
  "members.revokeInvitation": { procedures: ["members.revokeInvitation"], permissions: ["members:write"] },
  /** Also only for an owner (the owner role), which the widget learns from `/me`'s member. */
  "members.transferOwnership": {
    procedures: ["members.transferOwnership"],
    permissions: ["members:write"],
  },
  /** Binding or unbinding a role also needs every permission of that role (see `mayGrant`). */
  "members.editRoles": {
    procedures: ["roles.list", "roles.listBindings", "roles.bind", "roles.unbind"],
    permissions: ["roles:read", "roles:write"],
  },
  "connections.view": {
    procedures: ["apps.catalog", "connections.listForTenant"],
    permissions: ["connections:read"],
  },
  "connections.connect": {
    procedures: ["connections.create", "connections.reauthorize"],
    permissions: ["connections:read", "connections:write"],
  },
  "connections.disconnect": {
    procedures: ["connections.delete"],
    permissions: ["connections:read", "connections:write"],
  },
  "usage.view": { procedures: ["usage.list"], permissions: ["usage:read"] },
  "elements.view": {
    procedures: ["elements.resolve", "elements.externalFields"],
    permissions: ["elements:read"],
  },
  "elements.change": {
    procedures: ["elements.resolve", "elements.patch", "elements.reset"],
    permissions: ["elements:read", "elements:write"],
  },
  "fields.view": { procedures: ["fields.getForTenant"], permissions: ["fields:read"] },
  "fields.change": {
    procedures: ["fields.getForTenant", "fields.patchForTenant"],
    permissions: ["fields:read", "fields:write"],
  },
} as const satisfies Record<string, { procedures: readonly string[]; permissions: readonly string[] }>;

export type WidgetAction = keyof typeof WIDGET_ACTIONS;

/** Whether permissions (from `/me`) cover everything `action` needs. */
export function may(permissions: readonly string[], action: WidgetAction): boolean {
  return WIDGET_ACTIONS[action].permissions.every((permission) => permissions.includes(permission));
}

/** Whether a token may bind a role with these permissions: the server's "grant only what you hold". */
export function mayGrant(permissions: readonly string[], role: { permissions: readonly string[] }): boolean {
  return may(permissions, "members.editRoles") && role.permissions.every((p) => permissions.includes(p));
}
