import type { Connection, CreateConnectionInput, Credentials } from "@tenantry/contracts/connections";
import type { Database, Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { apps, connections } from "@tenantry/db/schema/connections";
import { and, desc, eq, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { loadAppRow } from "../apps/service";
import { archiveConnectionElements } from "../elements/service";
import { checkFieldValues, compileFieldSchema } from "../fields/field-schema";
import { base64Utf8 } from "../shared/crypto";
import { appError, notFound } from "../shared/errors";
import { prepared } from "../shared/prepared";
import type { ServiceContext } from "../shared/service-context";
import { assertTenantExists } from "../tenants/rows";
import { authorizationTarget, beginAuthorization, type RequestOrigin } from "./oauth";
import { oauthClientOf, ProviderError, revokeToken } from "./provider-client";
import {
  needsReauth,
  needsReauthReasonOf,
  openTokens,
  REFRESH_MARGIN_MS,
  refreshConnection,
  refreshDue,
} from "./refresh";
import { openCredentials, sealCredentials } from "./sealed-credentials";

type ConnectionRow = typeof connections.$inferSelect;
type AppRow = typeof apps.$inferSelect;

const TEST_REQUEST_TIMEOUT_MS = 5_000;

export function toConnection(row: ConnectionRow): Connection {
  return {
    id: row.id,
    tenantId: row.tenantId,
    appId: row.appId,
    name: row.name,
    status: row.status,
    accessTokenExpiresAt: row.accessTokenExpiresAt?.toISOString() ?? null,
    connectedAt: row.connectedAt?.toISOString() ?? null,
    lastRefreshAt: row.lastRefreshAt?.toISOString() ?? null,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function resolveApp(db: Executor, workspaceId: string, input: CreateConnectionInput): Promise<AppRow> {
  if (input.appId) return loadAppRow(db, workspaceId, input.appId);
  const [row] = await db
    .select()
    .from(apps)
    .where(and(eq(apps.workspaceId, workspaceId), eq(apps.key, input.appKey!)));
  if (!row) throw notFound("App", input.appKey!);
  return row;
}

function checkParameters(app: AppRow, parameters: Record<string, unknown>): void {
  if (!app.parametersSchema) return;
  const compiled = compileFieldSchema(app.parametersSchema);
  const names = new Set([...Object.keys(compiled.document.properties), ...Object.keys(parameters)]);
  const issues = checkFieldValues(compiled, parameters, names).map((issue) => ({
    path: issue.path.replace(/^fields\./, "parameters."),
    message: issue.message,
  }));
  for (const key of Object.keys(parameters)) {
    if (!(key in compiled.document.properties))
      issues.push({ path: `parameters.${key}`, message: "is unknown" });
  }
  if (issues.length > 0) {
    const first = issues[0]!;
    throw appError("BAD_REQUEST", "invalid_parameters", `${first.path} ${first.message}`, { issues });
  }
}

/** `{{name}}` in a header template becomes that parameter's value. */
function fillTemplate(template: string, parameters: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) =>
    String(parameters[name] ?? ""),
  );
}

/** Tries the parameters against the app before they are saved, so a typo is caught at connect time. */
async function runTestRequest(app: AppRow, parameters: Record<string, unknown>): Promise<void> {
  const test = app.testRequest;
  if (!test) return;
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(test.headers ?? {})) {
    headers[name] = fillTemplate(template, parameters);
  }
  if (app.authType === "basic" && !Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) {
    const basic = base64Utf8(`${parameters.username ?? ""}:${parameters.password ?? ""}`);
    headers.authorization = `Basic ${basic}`;
  }
  let status: number;
  try {
    const response = await fetch(test.url, {
      method: test.method,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(TEST_REQUEST_TIMEOUT_MS),
    });
    status = response.status;
    await response.body?.cancel();
  } catch {
    throw appError(
      "BAD_REQUEST",
      "connection_test_failed",
      `The test request to ${app.name} could not be made`,
    );
  }
  if (status < 200 || status >= 300) {
    throw appError(
      "BAD_REQUEST",
      "connection_test_failed",
      `${app.name} refused the parameters (the test request answered ${status})`,
      { testStatus: status },
    );
  }
}

/**
 * api_key and basic apps: validated (and tested) parameters, sealed, connected at once.
 * oauth2 apps: a `pending` connection and the provider's authorization URL to send the user to.
 */
export async function createConnection(
  sc: ServiceContext,
  input: CreateConnectionInput,
  request: RequestOrigin,
): Promise<Connection & { authorizationUrl?: string }> {
  const workspaceId = sc.actor.workspaceId;
  await assertTenantExists(sc.db, workspaceId, input.tenantId);
  const app = await resolveApp(sc.db, workspaceId, input);
  if (app.archivedAt) throw notFound("App", app.id);
  const id = newId("conn");

  if (app.authType === "oauth2") {
    if (input.parameters !== undefined) {
      throw appError("BAD_REQUEST", "invalid_input", "An OAuth2 connection takes no parameters", {
        issues: [{ path: "parameters", message: "not allowed for an oauth2 app" }],
      });
    }
    const target = await authorizationTarget(sc.db, workspaceId, { ...request, returnTo: input.returnTo });
    return sc.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(connections)
        .values({ workspaceId, id, tenantId: input.tenantId, appId: app.id, name: input.name ?? app.name })
        .returning();
      const authorizationUrl = await beginAuthorization(tx, sc, {
        workspaceId,
        connectionId: id,
        app,
        startedBy: sc.actor,
        ...target,
      });
      const connection = toConnection(row!);
      await recordActivity(tx, sc, {
        tenantId: input.tenantId,
        action: "connection.created",
        targetType: "connection",
        targetId: id,
        after: { appId: app.id, name: connection.name, status: connection.status },
      });
      return { ...connection, authorizationUrl };
    });
  }

  const parameters = input.parameters ?? {};
  checkParameters(app, parameters);
  await runTestRequest(app, parameters);
  const credentialsSealed = await sealCredentials(
    sc.keyring,
    { workspaceId, id },
    { type: app.authType, parameters },
  );
  const now = sc.clock.now();
  return sc.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(connections)
      .values({
        workspaceId,
        id,
        tenantId: input.tenantId,
        appId: app.id,
        name: input.name ?? app.name,
        status: "connected",
        credentialsSealed,
        connectedAt: now,
      })
      .returning();
    const connection = toConnection(row!);
    await recordActivity(tx, sc, {
      tenantId: input.tenantId,
      action: "connection.created",
      targetType: "connection",
      targetId: id,
      after: { appId: app.id, name: connection.name, status: connection.status },
    });
    return connection;
  });
}

/** A new authorization for an existing OAuth2 connection: reconnect after `needs_reauth`, or retry. */
export async function reauthorizeConnection(
  sc: ServiceContext,
  input: { id: string; returnTo?: string | undefined },
  request: RequestOrigin,
): Promise<Connection & { authorizationUrl: string }> {
  const row = await loadConnectionRow(sc, input.id);
  const app = await loadAppRow(sc.db, row.workspaceId, row.appId);
  if (app.authType !== "oauth2") {
    throw appError(
      "BAD_REQUEST",
      "invalid_input",
      `${app.name} connections are not OAuth2; create a new connection`,
    );
  }
  if (row.status === "disconnected") {
    throw appError("CONFLICT", "conflict", `Connection ${row.id} is disconnected; create a new connection`);
  }
  if (app.archivedAt) throw notFound("App", app.id);
  const target = await authorizationTarget(sc.db, row.workspaceId, { ...request, returnTo: input.returnTo });
  return sc.db.transaction(async (tx) => {
    const authorizationUrl = await beginAuthorization(tx, sc, {
      workspaceId: row.workspaceId,
      connectionId: row.id,
      app,
      startedBy: sc.actor,
      ...target,
    });
    await recordActivity(tx, sc, {
      tenantId: row.tenantId,
      action: "connection.reauthorization_started",
      targetType: "connection",
      targetId: row.id,
      after: { status: row.status },
    });
    return { ...toConnection(row), authorizationUrl };
  });
}

/** Prepared: the credential read is the host backend's hot path (see bench/connections.bench.ts). */
function connectionByIdStatement(db: Database) {
  return prepared(db, "connection_by_id", (d) =>
    d
      .select()
      .from(connections)
      .where(
        and(
          eq(connections.workspaceId, sql.placeholder("workspaceId")),
          eq(connections.id, sql.placeholder("id")),
        ),
      )
      .prepare("connection_by_id"),
  );
}

async function loadConnectionRow(sc: ServiceContext, id: string): Promise<ConnectionRow> {
  const [row] = await connectionByIdStatement(sc.db).execute({ workspaceId: sc.actor.workspaceId, id });
  if (!row) throw notFound("Connection", id);
  return row;
}

export async function getConnection(sc: ServiceContext, id: string): Promise<Connection> {
  return toConnection(await loadConnectionRow(sc, id));
}

export async function listTenantConnections(
  sc: ServiceContext,
  tenantId: string,
): Promise<{ items: Connection[] }> {
  await assertTenantExists(sc.db, sc.actor.workspaceId, tenantId);
  const rows = await sc.db
    .select()
    .from(connections)
    .where(and(eq(connections.workspaceId, sc.actor.workspaceId), eq(connections.tenantId, tenantId)))
    .orderBy(desc(connections.id));
  return { items: rows.map(toConnection) };
}

/**
 * Disconnects: revokes the grant at the provider when the app has a revocation URL, then wipes the
 * credentials. The row stays as a record that the connection existed. A provider that cannot be
 * reached does not keep a tenant connected against its will: the wipe happens, the log says so.
 */
export async function deleteConnection(sc: ServiceContext, id: string): Promise<Connection> {
  const existing = await loadConnectionRow(sc, id);
  const revocation = await revokeAtProvider(sc, existing);
  return sc.db.transaction(async (tx) => {
    const [row] = await tx
      .update(connections)
      .set({
        status: "disconnected",
        credentialsSealed: null,
        accessTokenExpiresAt: null,
        updatedAt: sc.clock.now(),
        version: sql`${connections.version} + 1`,
      })
      .where(and(eq(connections.workspaceId, existing.workspaceId), eq(connections.id, id)))
      .returning();
    await recordActivity(tx, sc, {
      tenantId: existing.tenantId,
      action: "connection.disconnected",
      targetType: "connection",
      targetId: id,
      before: { status: existing.status },
      after: { status: "disconnected", ...(revocation ? { revocation } : {}) },
    });
    await archiveConnectionElements(tx, sc, existing);
    return toConnection(row!);
  });
}

/** `revoked`, `failed: …`, or null when there was nothing to revoke at the provider. */
async function revokeAtProvider(sc: ServiceContext, row: ConnectionRow): Promise<string | null> {
  if (!row.credentialsSealed) return null;
  const app = await loadAppRow(sc.db, row.workspaceId, row.appId);
  const revokeUrl = app.oauth2?.revokeUrl;
  const client = app.authType === "oauth2" && revokeUrl ? await oauthClientOf(sc.keyring, app) : null;
  if (!client) return null;
  const tokens = await openTokens(sc.keyring, row);
  try {
    // Revoking the refresh token ends the whole grant at providers that follow RFC 7009 §2.1.
    if (tokens.refreshToken) await revokeToken(client, tokens.refreshToken, "refresh_token");
    else await revokeToken(client, tokens.accessToken, "access_token");
    return "revoked";
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    return `failed: ${error.message}`;
  }
}

/**
 * The host backend's read of fresh credentials (API key only, checked by the procedure). An OAuth2
 * access token that expires within the margin is refreshed first, once per connection at a time.
 */
export async function readConnectionCredentials(sc: ServiceContext, id: string): Promise<Credentials> {
  const row = await loadConnectionRow(sc, id);
  if (row.status === "needs_reauth") throw needsReauth(id, needsReauthReasonOf(row));
  if (row.status !== "connected" || !row.credentialsSealed) {
    throw appError("CONFLICT", "conflict", `Connection ${id} is ${row.status}, it has no credentials`);
  }
  const stored = await openCredentials(sc.keyring, row);
  if (stored.type !== "oauth2") return stored;
  const tokens = refreshDue(stored, REFRESH_MARGIN_MS, sc.clock.now())
    ? await refreshConnection(sc, row)
    : stored;
  return {
    type: "oauth2",
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    expiresAt: tokens.expiresAt,
  };
}
