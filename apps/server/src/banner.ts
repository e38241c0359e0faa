/** Where the server stands when it starts, as far as a person starting it needs to know. */
export interface StartUpState {
  version: string;
  address: string;
  /** The admin key made at this first start: shown here once, never logged. */
  generatedApiKey: string | null;
  /** The admin key came from TENANTRY_BOOTSTRAP_API_KEY. */
  bootstrapKeyGiven: boolean;
  /** Someone can already sign in to the console: it will not ask for the admin key. */
  hasOperators: boolean;
  consoleBuilt: boolean;
}

/**
 * The start-up banner, one string written in one write, so log lines never land inside it and whoever
 * waits for "is ready at" also has the key. It says only what is true of this start.
 */
export function startUpBanner(state: StartUpState): string {
  const { address } = state;
  const lines: string[] = [];
  if (state.generatedApiKey) {
    lines.push(
      "",
      "Your admin API key (shown only this once; store it now):",
      "",
      `    ${state.generatedApiKey}`,
    );
  }
  lines.push(
    "",
    `Tenantry ${state.version} is ready at ${address}  (API reference: ${address}/api/v1/reference)`,
  );
  const key = state.generatedApiKey
    ? "the admin API key above"
    : state.bootstrapKeyGiven
      ? "the admin API key in TENANTRY_BOOTSTRAP_API_KEY"
      : "the admin API key printed at first start (or a new one: pnpm tenantry create-api-key --name NAME)";
  const open = state.hasOperators
    ? `open ${address} to sign in to the console.`
    : `open ${address} to set up the console: it asks once for ${key} and creates the first operator.`;
  lines.push(
    state.consoleBuilt
      ? `O${open.slice(1)}`
      : `The console is not built yet: run pnpm build:console, then ${open}`,
  );
  return `${lines.join("\n")}\n\n`;
}
