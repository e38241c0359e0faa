import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ProviderClient, ProviderSettings, ProviderStats } from "./provider";

/** The provider in its own OS process, driven over HTTP like any real one. */
export interface ProviderProcess {
  url: string;
  /** The default client's id and secret (the first one, when `clients` were given). */
  clientId: string;
  clientSecret: string;
  /** Every client the provider knows. */
  clients: ProviderClient[];
  stats(): Promise<ProviderStats>;
  configure(settings: Partial<ProviderSettings>): Promise<void>;
  revokeAllGrants(): Promise<void>;
  stop(): Promise<void>;
}

const main = fileURLToPath(new URL("./main.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

const DEFAULT_CLIENT: ProviderClient = { id: "tenantry-test", secret: "tenantry-test-secret" };

export async function startProviderProcess(
  options: { autoApprove?: boolean; clients?: ProviderClient[] } = {},
): Promise<ProviderProcess> {
  const clients = options.clients ?? [DEFAULT_CLIENT];
  const child: ChildProcess = spawn(tsx, [main, ...(options.autoApprove ? ["--auto-approve"] : [])], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, OAUTH_CLIENTS: JSON.stringify(clients) },
  });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve(JSON.parse(line) as { url: string }));
    child.once("exit", (code) => reject(new Error(`OAuth provider exited with ${code} before it was ready`)));
  });
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(`${ready.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`provider control ${path} answered ${response.status}`);
    return response.json();
  };
  return {
    url: ready.url,
    clientId: clients[0]!.id,
    clientSecret: clients[0]!.secret ?? "",
    clients,
    stats: () => control("/_control/stats") as Promise<ProviderStats>,
    configure: async (settings) => void (await control("/_control/settings", settings)),
    revokeAllGrants: async () => void (await control("/_control/revoke-all-grants", {})),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * The `oauth2` settings of a Tenantry app that signs in at this provider as `client`: its secret and
 * its required token endpoint auth method, when it has them.
 */
export function appSettingsForClient(
  provider: { url: string },
  client: ProviderClient,
  scopes: string[] = ["contacts.read"],
) {
  return {
    authorizeUrl: `${provider.url}/authorize`,
    tokenUrl: `${provider.url}/token`,
    revokeUrl: `${provider.url}/revoke`,
    clientId: client.id,
    ...(client.secret !== undefined ? { clientSecret: client.secret } : {}),
    ...(client.tokenEndpointAuthMethod ? { tokenEndpointAuthMethod: client.tokenEndpointAuthMethod } : {}),
    scopes,
  };
}

/** The `oauth2` settings of a Tenantry app that signs in at this provider. */
export function appSettingsFor(
  provider: { url: string; clientId: string; clientSecret: string },
  scopes: string[] = ["contacts.read"],
) {
  return {
    authorizeUrl: `${provider.url}/authorize`,
    tokenUrl: `${provider.url}/token`,
    revokeUrl: `${provider.url}/revoke`,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    scopes,
  };
}
