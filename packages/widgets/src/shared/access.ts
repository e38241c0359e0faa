/**
 * What each widget action needs, in one place: every permission the server requires for the
 * procedures it calls (their own plus the services' rules, such as "grant only what you hold"). A
 * widget offers an action only when `/me`'s permissions cover it, so a token is never shown a
 * button the server would refuse. `access.unit.test.ts` names each action's procedures and checks
 * this map against the router's access declarations, so the two cannot drift apart.
 */
export const WIDGET_ACTIONS = {
  "members.view": ["members:read"],
  /** Roles are shown by name; without roles:read the table shows members only. */
  "members.viewRoles": ["roles:read"],
  /**
   * Inviting binds a role (the chosen one, else "member"): the server asks for roles:write and
   * every permission of that role (see `mayGrant`), and the widget needs roles:read to know them.
   */
  "members.invite": ["members:write", "roles:read", "roles:write"],
  "members.changeType": ["members:write"],
  "members.suspend": ["members:write"],
  "members.reactivate": ["members:write"],
  "members.remove": ["members:write"],
  "members.resendInvitation": ["members:write"],
  "members.revokeInvitation": ["members:write"],
  /** Also only for an owner (the owner role), which the widget learns from `/me`'s member. */
  "members.transferOwnership": ["members:write"],
  /** Binding or unbinding a role also needs every permission of that role (see `mayGrant`). */
  "members.editRoles": ["roles:read", "roles:write"],
  "connections.view": ["connections:read"],
  "connections.connect": ["connections:read", "connections:write"],
  "connections.disconnect": ["connections:read", "connections:write"],
  "usage.view": ["usage:read"],
  "elements.view": ["elements:read"],
  "elements.change": ["elements:read", "elements:write"],
  "fields.view": ["fields:read"],
  "fields.change": ["fields:read", "fields:write"],
} as const satisfies Record<string, readonly string[]>;

export type WidgetAction = keyof typeof WIDGET_ACTIONS;

/** Whether permissions (from `/me`) cover everything `action` needs. */
export function may(permissions: readonly string[], action: WidgetAction): boolean {
  return WIDGET_ACTIONS[action].every((permission) => permissions.includes(permission));
}

/** Whether a token may bind a role with these permissions: the server's "grant only what you hold". */
export function mayGrant(permissions: readonly string[], role: { permissions: readonly string[] }): boolean {
  return may(permissions, "members.editRoles") && role.permissions.every((p) => permissions.includes(p));
}
