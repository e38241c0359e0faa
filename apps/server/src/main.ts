import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { hasAnyOperator } from "@tenantry/api/operators";
import {
  bootstrapDefaultWorkspace,
  runDataMigrations,
  startInvalidationListener,
  systemClock,
} from "@tenantry/api/server-runtime";
import { createDb } from "@tenantry/db/create-db";
import type { DatabaseHandle } from "@tenantry/db/database";
import { startUpBanner } from "./banner";
import { ConfigError, loadConfig, redactUrl } from "./config";
import { CONSOLE_DIST } from "./console-routes";
import { lockDataDir } from "./data-dir-lock";
import { loadKeyring } from "./encryption-key";
import { startEventRetention } from "./event-retention";
import { createHttpServer, resolveHostAddresses, type ServerState } from "./http-server";
import { createLogger, logFormatFor } from "./logger";
import { startConnectionRefresher } from "./refresher";
import { VERSION } from "./version";
import { startWebhookWorker } from "./webhook-worker";

function fail(message: string): never {
  process.stderr.write(`tenantry: ${message}\n`);
  process.exit(1);
}

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logFormat = logFormatFor(process.stdout);
  const logger = createLogger({ level: config.logLevel, format: logFormat });
  // At a terminal the banner sits among the human log lines; elsewhere stdout carries JSON lines
  // only, and the banner (text for a person) goes to stderr.
  const bannerOutput = logFormat === "pretty" ? process.stdout : process.stderr;
  let keyring: Awaited<ReturnType<typeof loadKeyring>>;
  try {
    keyring = await loadKeyring(config);
  } catch (error) {
    fail(`cannot load the encryption key: ${(error as Error).message}`);
  }
  if (keyring.generatedAt) {
    logger.warn(
      { path: keyring.generatedAt },
      "generated a development encryption key; set TENANTRY_ENCRYPTION_KEY in production",
    );
  }
  const state: ServerState = { db: null, keyring: keyring.keyring };
  const server = createHttpServer({
    state,
    logger,
    publicUrl: config.publicUrl,
    bodyLimitBytes: config.bodyLimitBytes,
    version: VERSION,
    trustedProxies: config.trustedProxies,
    jwksAllowHosts: config.jwksAllowHosts,
    webhookAllowHosts: config.webhookAllowHosts,
  });

  let stopping = false;
  // While draining, every answer closes its connection: keep-alive clients then reconnect (and are
  // refused, or reach another process) instead of racing the close of an idle socket.
  server.prependListener("request", (_request, response) => {
    if (stopping) response.setHeader("connection", "close");
  });

  server.listen(config.port, config.host);
  try {
    await once(server, "listening");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    fail(
      code === "EADDRINUSE"
        ? `${config.host}:${config.port} is already in use; set PORT to another port`
        : `cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`,
    );
  }

  let releaseLock = () => {};
  let handle: DatabaseHandle;
  try {
    if (!config.databaseUrl) releaseLock = lockDataDir(config.dataDir);
    handle = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (error) {
    releaseLock();
    const where = config.databaseUrl ? redactUrl(config.databaseUrl) : config.dataDir;
    fail(`cannot open the database at ${where}: ${(error as Error).message}`);
  }

  // After the SQL migrations, before any request: the data migrations (they need the keyring).
  await runDataMigrations(handle.db, keyring.keyring, (level, message, details) =>
    logger[level](details, message),
  );
  const bootstrap = await bootstrapDefaultWorkspace(handle.db, { bootstrapApiKey: config.bootstrapApiKey });
  // Read before the server answers /healthz: whoever sees it healthy also has the banner.
  const hasOperators = await hasAnyOperator(handle.db);
  // Before the first request: the per-process caches of keys, tokens' keys, members and roles are on
  // only while this listener hears every change (see docs/architecture.md, "Caches").
  const invalidation = await startInvalidationListener(handle);
  const refresher = startConnectionRefresher({
    db: handle.db,
    keyring: keyring.keyring,
    clock: systemClock,
    intervalMs: config.refreshIntervalMs,
    logger,
  });
  const eventRetention = startEventRetention({
    db: handle.db,
    retentionDays: config.eventRetentionDays,
    logger,
  });
  const webhookWorker = startWebhookWorker({
    db: handle.db,
    keyring: keyring.keyring,
    urlPolicy: { allowHosts: config.webhookAllowHosts, resolve: resolveHostAddresses },
    logger,
  });

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    state.draining = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, "shutting down");
    // Ctrl-C at a terminal stops at once; SIGTERM (deploys, orchestrators) first lets load balancers
    // see /healthz fail and keep-alive clients take their `Connection: close` answers, so closing the
    // listener and the idle sockets cuts nobody off mid-request.
    // Workers first: nothing new starts while the last requests are answered.
    await Promise.all([refresher.stop(), eventRetention.stop(), webhookWorker.stop(), invalidation.stop()]);
    if (signal === "SIGTERM") await new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs));
    const force = setTimeout(() => {
      logger.warn("requests still open after 10 s; closing them");
      server.closeAllConnections();
    }, 10_000);
    force.unref();
    server.close();
    server.closeIdleConnections();
    await once(server, "close").catch(() => {});
    state.db = null;
    await handle.close();
    releaseLock();
    clearTimeout(force);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  // Only now: whoever sees /healthz answer or reads the banner may send SIGTERM at once, and it
  // must find the handler (without one, the signal kills the process before it drains).
  state.db = handle.db;
  const address = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}`;
  // For log collectors; the person at a terminal reads the banner instead.
  if (logFormat === "json") {
    logger.info(
      { address, database: config.databaseUrl ? "postgres" : "pglite", workspaceId: bootstrap.workspaceId },
      "Tenantry is ready",
    );
  }
  // The generated key is shown once, never logged: only its hash is stored.
  bannerOutput.write(
    startUpBanner({
      version: VERSION,
      address,
      generatedApiKey: bootstrap.generatedApiKey,
      bootstrapKeyGiven: Boolean(config.bootstrapApiKey),
      hasOperators,
      consoleBuilt: existsSync(join(CONSOLE_DIST, "index.html")),
    }),
  );
}

main().catch((error: unknown) => fail((error as Error).stack ?? String(error)));
