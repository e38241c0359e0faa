import { startOAuthProvider } from "./provider";

/**
 * Runs the provider as its own process: `tsx src/main.ts [--port N] [--auto-approve]`.
 * Prints one JSON line with its URL and clients once it listens.
 */
const args = process.argv.slice(2);
const portIndex = args.indexOf("--port");
const provider = await startOAuthProvider({
  port: portIndex >= 0 ? Number(args[portIndex + 1]) : 0,
  clients: [
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
