import type { Actor } from "../actor";
import { appError, notFound } from "../shared/errors";

/**
 * A token only ever reaches its own tenant. Another tenant's id answers 404, as if it did not
 * exist, so a token cannot probe which ids exist.
 */
export function assertTenantAccess(actor: Actor, tenantId: string): void {
  if (actor.type === "access_token" && actor.tenantId !== tenantId) throw notFound("Tenant", tenantId);
}

/** API keys, operators and Tenantry itself may do everything in their workspace; tokens only what their permissions say. */
export function hasPermission(actor: Actor, permission: string): boolean {
  return actor.type !== "access_token" || actor.permissions.has(permission);
}

export function requirePermission(actor: Actor, permission: string): void {
  if (!hasPermission(actor, permission)) {
    throw appError("FORBIDDEN", "forbidden", `This access token lacks the permission "${permission}"`);
  }
}
