import type { Actor } from "../actor";
import { appError } from "../shared/errors";

/** API keys, operators and Tenantry itself may do everything in their workspace; tokens only what their permissions say. */
export function hasPermission(actor: Actor, permission: string): boolean {
  return actor.type !== "access_token" || actor.permissions.has(permission);
}

export function requirePermission(actor: Actor, permission: string): void {
  if (!hasPermission(actor, permission)) {
    // `permission` in the details lets widgets say in plain words which one is missing.
    throw appError("FORBIDDEN", "forbidden", `This access token lacks the permission "${permission}"`, {
      permission,
    });
  }
}
