import type { Credentials } from "@tenantry/contracts/connections";
import { type Keyring, workspaceAad } from "../secrets/keyring";
import type { StoredTokens } from "./provider-client";

/** The connection row a sealed value belongs to (ids are unique only within a workspace). */
export interface ConnectionKey {
  workspaceId: string;
  id: string;
}

/**
 * Credentials are sealed to their connection row: copied to another row, or to the row with the same
 * id in another workspace, they no longer open.
 */
export const connectionCredentialsAad = (connection: ConnectionKey) =>
  workspaceAad(connection.workspaceId, `connection:${connection.id}:credentials`);

/** What a connection row holds, sealed: OAuth2 tokens, or the parameters of an api_key/basic app. */
export type SealedCredentials = StoredTokens | Exclude<Credentials, { type: "oauth2" }>;

export function sealCredentials(
  keyring: Keyring,
  connection: ConnectionKey,
  value: SealedCredentials,
): Promise<string> {
  return keyring.seal(JSON.stringify(value), connectionCredentialsAad(connection));
}

export async function openCredentials(
  keyring: Keyring,
  row: ConnectionKey & { credentialsSealed: string | null },
): Promise<SealedCredentials> {
  return JSON.parse(await keyring.open(row.credentialsSealed!, connectionCredentialsAad(row)));
}
