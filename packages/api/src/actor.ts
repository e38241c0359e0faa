/** Who is calling. Every change in the activity log names one. */
export type Actor = ApiKeyActor | OperatorActor | AccessTokenActor | SystemActor;

/** The host's backend or the console: full access to its workspace. */
export interface ApiKeyActor {
  type: "api_key";
  workspaceId: string;
  apiKeyId: string;
}

/** A person of the host's team signed in to the console: workspace-wide, like an API key. */
export interface OperatorActor {
  type: "operator";
  workspaceId: string;
  operatorId: string;
  sessionId: string;
}

/** A widget in the browser, holding an access token for one tenant. */
export interface AccessTokenActor {
  type: "access_token";
  workspaceId: string;
  /** The only tenant this token can ever reach. */
  tenantId: string;
  /** The member the token acts as (the host's user), when the token names one. */
  userId: string | null;
  /** From the member's roles, or from the token's `scope` claim when it names no user. */
  permissions: ReadonlySet<string>;
  /** The signing key that verified it (`kid`). */
  keyId: string;
}

/** Tenantry itself, acting for nobody in particular: the OAuth callback, the periodic refresher. */
export interface SystemActor {
  type: "system";
  workspaceId: string;
  /** Which part of Tenantry acted, e.g. `oauth_callback`. */
  systemId: string;
}

export function actorId(actor: Actor): string {
  if (actor.type === "api_key") return actor.apiKeyId;
  if (actor.type === "system") return actor.systemId;
  if (actor.type === "operator") return actor.operatorId;
  return actor.userId ?? `token:${actor.keyId}`;
}
