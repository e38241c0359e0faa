import type { Credentials } from "@tenantry/contracts/connections";
import type { Keyring } from "../secrets/keyring";
import type { StoredTokens } from "./provider-client";

/** Credentials are sealed to their connection row: copied to another row, they no longer open. */
export const connectionCredentialsAad = (connectionId: string) => `connection:${connectionId}:credentials`;

/** What a connection row holds, sealed: OAuth2 tokens, or the parameters of an api_key/basic app. */
export type SealedCredentials = StoredTokens | Exclude<Credentials, { type: "oauth2" }>;

export function sealCredentials(
  keyring: Keyring,
  connectionId: string,
  value: SealedCredentials,
): Promise<string> {
  return keyring.seal(JSON.stringify(value), connectionCredentialsAad(connectionId));
}

export async function openCredentials(
  keyring: Keyring,
  row: { id: string; credentialsSealed: string | null },
): Promise<SealedCredentials> {
  return JSON.parse(await keyring.open(row.credentialsSealed!, connectionCredentialsAad(row.id)));
}
