/** Who is calling. Every change in the activity log names one. */
export type Actor = ApiKeyActor;

export interface ApiKeyActor {
  type: "api_key";
  workspaceId: string;
  apiKeyId: string;
}

export function actorId(actor: Actor): string {
  return actor.apiKeyId;
}
