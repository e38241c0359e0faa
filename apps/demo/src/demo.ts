import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProviderProcess } from "@tenantry/oauth-provider/process";
import { build } from "vite";
import { startDemoBackend } from "./backend";
import { allowOrigin, seedDemo } from "./seed";

/**
 * `pnpm demo`: Tenantry on `PORT` (default 4000) over a fresh embedded data dir, seeded with a signing
 * key, the demo's origin, a field schema, a tenant with a few members and an app catalog (with an
 * OAuth2 app on a loopback provider started here); then the demo host app on
 * `DEMO_PORT` (default 4100). Ctrl-C stops both.
 */
const root = fileURLToPath(new URL("..", import.meta.url));
const port = Number(process.env.PORT ?? 4000);
const demoPort = Number(process.env.DEMO_PORT ?? 4100);
const tenantryUrl = `http://127.0.0.1:${port}`;
const apiKey = `tnt_sk_demo_${randomBytes(24).toString("base64url")}`;
const dataDir = mkdtempSync(join(tmpdir(), "tenantry-demo-"));

const server = spawn(
  process.execPath,
  ["--import", "tsx", fileURLToPath(new URL("../../server/src/main.ts", import.meta.url))],
  {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      TENANTRY_DATA_DIR: dataDir,
      TENANTRY_BOOTSTRAP_API_KEY: apiKey,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  },
);
let stopProvider = async () => {};
const stop = () => {
  server.kill("SIGTERM");
  void stopProvider();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => {
  console.error(`Tenantry exited (${code})`);
  process.exit(1);
});

for (let attempt = 0; ; attempt++) {
  const healthy = await fetch(`${tenantryUrl}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (healthy) break;
  if (attempt > 120) throw new Error(`Tenantry did not answer at ${tenantryUrl}/healthz`);
  await new Promise((resolve) => setTimeout(resolve, 500));
}

await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn" });
// The demo's OAuth app signs in at a small provider of its own on loopback (consent page included).
const provider = await startProviderProcess();
stopProvider = provider.stop;
const seed = await seedDemo(tenantryUrl, apiKey, { oauthProvider: provider });
const demo = await startDemoBackend({
  tenantryUrl,
  signingKey: seed.signingKey,
  organization: seed.organization,
  user: seed.user,
  staticDir: join(root, "dist"),
  port: demoPort,
});
await allowOrigin(tenantryUrl, apiKey, demo.url);
console.log(`
Tenantry:  ${tenantryUrl}  (data in ${dataDir}; API key ${apiKey})
OAuth app: ${provider.url}  (the demo's own loopback provider, for "Loopback CRM")
Demo host: ${demo.url}  (signed in as ${seed.user.name}, owner of ${seed.organization.name})
`);
