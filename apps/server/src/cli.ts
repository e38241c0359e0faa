import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import {
  createOperator,
  disableOperator,
  enableOperator,
  findOperatorByEmail,
  removeOperator,
  resetOperatorPassword,
  revokeOperatorSessions,
  setOperatorPassword,
} from "@tenantry/api/operators";
import {
  bootstrapDefaultWorkspace,
  createApiKey,
  resealStaleSecrets,
  runDataMigrations,
  type ServiceContext,
  systemClock,
} from "@tenantry/api/server-runtime";
import { createDb } from "@tenantry/db/create-db";
import type { Database } from "@tenantry/db/database";
import { z } from "zod";
import { ConfigError, loadConfig, redactUrl } from "./config";
import { lockDataDir } from "./data-dir-lock";
import { loadKeyring } from "./encryption-key";
import { hashOperatorPassword, passwordProblem } from "./operator-passwords";

const USAGE = `Usage: pnpm tenantry <command>

Commands:
  migrate                     apply pending database migrations and exit
  create-api-key --name NAME  create an API key for the default workspace (printed once)
  create-operator --email EMAIL [--name NAME]
                              create a console operator in the default workspace; the password is
                              read from standard input, or generated and printed once on a terminal
  disable-operator --email EMAIL
                              disable a console operator: their sessions end at once and they cannot
                              sign in (the workspace's last active operator cannot be disabled)
  enable-operator --email EMAIL
                              let a disabled operator sign in again
  remove-operator --email EMAIL
                              remove a console operator and end their sessions (not the last active one)
  reset-operator-password --email EMAIL
                              end the operator's sessions and replace their password: one read from
                              standard input, or a temporary one printed once that they exchange for
                              their own at the next sign-in (within 24 hours)
  revoke-operator-sessions --email EMAIL
                              sign the operator out everywhere
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
    options: { name: { type: "string" }, email: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const command = positionals[0];
  if (!command || values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (
    !["migrate", "create-api-key", "create-operator", "rotate-keys", ...OPERATOR_COMMANDS].includes(command)
  )
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
      const { keyring } = await loadKeyring(config);
      await runDataMigrations(handle.db, keyring, (_level, message) => process.stdout.write(`${message}\n`));
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
    } else if (command === "create-operator") {
      await createOperatorFromCli(handle.db, config.bootstrapApiKey, values.email, values.name);
    } else if (OPERATOR_COMMANDS.includes(command)) {
      const { keyring } = await loadKeyring(config);
      await changeOperatorFromCli({ db: handle.db, keyring }, config.bootstrapApiKey, command, values.email);
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

async function readPasswordFromStdin(): Promise<string | null> {
  if (process.stdin.isTTY) return null;
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, "");
}

async function createOperatorFromCli(
  db: Database,
  bootstrapApiKey: string | undefined,
  email: string | undefined,
  name: string | undefined,
) {
  if (!email || !z.email().safeParse(email).success) fail("create-operator needs --email EMAIL");
  const given = await readPasswordFromStdin();
  const password = given || randomBytes(18).toString("base64url");
  const problem = passwordProblem(password);
  if (problem) fail(`the password is too weak: ${problem}`);
  const { workspaceId } = await bootstrapDefaultWorkspace(db, { bootstrapApiKey });
  const operator = await createOperator(db, {
    workspaceId,
    email,
    name: name?.trim() || email.split("@")[0]!,
    passwordHash: await hashOperatorPassword(password),
  }).catch((error: Error) => fail(error.message));
  process.stdout.write(`Created operator ${operator.id} (${operator.email}).\n`);
  if (!given) process.stdout.write(`Their password, shown only this once:\n\n    ${password}\n\n`);
}

const OPERATOR_COMMANDS = [
  "disable-operator",
  "enable-operator",
  "remove-operator",
  "reset-operator-password",
  "revoke-operator-sessions",
];

/** The operator commands act in the default workspace; the activity log names the CLI as the actor. */
async function changeOperatorFromCli(
  { db, keyring }: Pick<ServiceContext, "db" | "keyring">,
  bootstrapApiKey: string | undefined,
  command: string,
  email: string | undefined,
) {
  if (!email) fail(`${command} needs --email EMAIL`);
  const given = command === "reset-operator-password" ? await readPasswordFromStdin() : null;
  if (given) {
    const problem = passwordProblem(given);
    if (problem) fail(`the password is too weak: ${problem}`);
  }
  const { workspaceId } = await bootstrapDefaultWorkspace(db, { bootstrapApiKey });
  const operator = await findOperatorByEmail(db, workspaceId, email);
  if (!operator) fail(`no operator has the email ${email}`);
  const context: ServiceContext = {
    db,
    keyring,
    clock: systemClock,
    actor: { type: "system", workspaceId, systemId: "cli" },
    requestId: `cli-${globalThis.crypto.randomUUID()}`,
  };
  const who = `${operator.id} (${operator.email})`;
  try {
    if (command === "disable-operator") {
      await disableOperator(context, { id: operator.id });
      process.stdout.write(`Disabled operator ${who}; their sessions have ended.\n`);
    } else if (command === "enable-operator") {
      await enableOperator(context, { id: operator.id });
      process.stdout.write(`Enabled operator ${who}.\n`);
    } else if (command === "remove-operator") {
      await removeOperator(context, { id: operator.id });
      process.stdout.write(`Removed operator ${who}.\n`);
    } else if (command === "revoke-operator-sessions") {
      const { sessionsEnded } = await revokeOperatorSessions(context, { id: operator.id });
      process.stdout.write(`Ended ${sessionsEnded} session(s) of operator ${who}.\n`);
    } else if (given) {
      await setOperatorPassword(context, {
        id: operator.id,
        passwordHash: await hashOperatorPassword(given),
      });
      process.stdout.write(`Set a new password for operator ${who}; their sessions have ended.\n`);
    } else {
      const reset = await resetOperatorPassword(context, { id: operator.id });
      process.stdout.write(
        `Reset the password of operator ${who}; their sessions have ended.\n` +
          `Their temporary password, shown only this once (they choose their own when they sign in with it, before ${reset.expiresAt}):\n\n    ${reset.temporaryPassword}\n\n`,
      );
    }
  } catch (error) {
    fail((error as Error).message);
  }
}

main().catch((error: unknown) => fail((error as Error).message));
