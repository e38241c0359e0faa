import type { Database } from "@tenantry/db/database";
import type { Actor } from "../actor";
import type { Keyring } from "../secrets/keyring";
import type { Clock } from "./clock";

/**
 * What every domain service receives first. The one calling convention:
 * `service(ctx, input)`, the workspace being `ctx.actor.workspaceId`, never a separate argument.
 * A procedure's context is one (the builder adds the authenticated actor), so routers pass `ctx` as is.
 */
export interface ServiceContext {
  /** The database, or the transaction the caller already holds. */
  db: Database;
  actor: Actor;
  requestId: string;
  keyring: Keyring;
  clock: Clock;
  /** The procedure call's invalidation cache position, when it came through the builder (see Context). */
  since?: number;
}
