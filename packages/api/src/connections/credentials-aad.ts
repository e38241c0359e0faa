/** Credentials are sealed to their connection row: copied to another row, they no longer open. */
export const connectionCredentialsAad = (connectionId: string) => `connection:${connectionId}:credentials`;
