import { parseArgs } from "node:util";
import { createApiKey } from "@tenantry/api/api-keys/service";
import { resealStaleSecrets } from "@tenantry/api/secrets/rotate";
import { bootstrapDefaultWorkspace } from "@tenantry/api/workspaces/bootstrap";
import { createDb } from "@tenantry/db/create-db";
import { ConfigError, loadConfig, redactUrl } from "./config";
import { lockDataDir } from "./data-dir-lock";
import { loadKeyring } from "./encryption-key";

const USAGE = `Usage: pnpm tenantry <command>

Commands:
  migrate                     apply pending database migrations and exit
  create-api-key --name NAME  create an API key for the default workspace (printed once)
  rotate-keys                 seal every secret again under TENANTRY_ENCRYPTION_KEY; run after moving
                              the old key to TENANTRY_PREVIOUS_ENCRYPTION_KEYS, then drop it from there

Settings come from the same environment variables as the server (DATABASE_URL, TENANTRY_DATA_DIR, ...).`;

function fail(message: string): never {
  process.stderr.write(`tenantry: ${message}\n`);
  process.exit(1);
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const command = positionals[0];
  if (!command || values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!["migrate", "create-api-key", "rotate-keys"].includes(command))
    fail(`unknown command "${command}"\n\n${USAGE}`);

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  let release = () => {};
  try {
    if (!config.databaseUrl) release = lockDataDir(config.dataDir);
  } catch (error) {
    fail((error as Error).message);
  }
  const handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch(
    (error: Error) =>
      fail(
        `cannot open the database at ${config.databaseUrl ? redactUrl(config.databaseUrl) : config.dataDir}: ${error.message}`,
      ),
  );
  try {
    if (command === "migrate") {
      process.stdout.write("Migrations applied.\n");
    } else if (command === "create-api-key") {
      if (!values.name) fail("create-api-key needs --name NAME");
      const { workspaceId } = await bootstrapDefaultWorkspace(handle.db, {
        bootstrapApiKey: config.bootstrapApiKey,
      });
      const created = await createApiKey(handle.db, { workspaceId, name: values.name });
      process.stdout.write(
        `Created API key ${created.id} (${created.name}); shown only this once:\n\n    ${created.key}\n\n`,
      );
    } else {
      const { keyring } = await loadKeyring(config);
      const { resealed } = await resealStaleSecrets(handle.db, keyring);
      process.stdout.write(`Sealed ${resealed} secret(s) again under key ${keyring.currentKeyId}.\n`);
    }
  } finally {
    await handle.close();
    release();
  }
}

main().catch((error: unknown) => fail((error as Error).message));
