import { type ProviderClient, startOAuthProvider } from "./provider";

/**
 * Runs the provider as its own process: `tsx src/main.ts [--port N] [--auto-approve]`.
 * Its clients come from `OAUTH_CLIENTS` (a JSON array of `{ id, secret?, tokenEndpointAuthMethod? }`),
 * else the one client `OAUTH_CLIENT_ID` / `OAUTH_CLIENT_SECRET`.
 * Prints one JSON line with its URL and clients once it listens.
 */
const args = process.argv.slice(2);
const portIndex = args.indexOf("--port");
const provider = await startOAuthProvider({
  port: portIndex >= 0 ? Number(args[portIndex + 1]) : 0,
  clients: process.env.OAUTH_CLIENTS
    ? (JSON.parse(process.env.OAUTH_CLIENTS) as ProviderClient[])
    : [
        {
          id: process.env.OAUTH_CLIENT_ID ?? "tenantry-test",
          secret: process.env.OAUTH_CLIENT_SECRET ?? "tenantry-test-secret",
        },
      ],
  settings: { autoApprove: args.includes("--auto-approve") },
});
process.stdout.write(`${JSON.stringify({ ready: true, url: provider.url, clients: provider.clients })}\n`);
const stop = () => void provider.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
