import type { Database, Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { apps, connections } from "@tenantry/db/schema/connections";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, desc, eq, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { loadAppRow } from "../apps/service";
import { assertTenantAccess, requirePermission } from "../auth/access";
import { archiveConnectionElements } from "../elements/service";
import { checkFieldValues, compileFieldSchema } from "../fields/field-schema";
import { appError, notFound } from "../shared/errors";
import { prepared } from "../shared/prepared";
import type { ServiceContext } from "../tenants/service";
import type { Connection, CreateConnectionInput, Credentials } from "./schemas";

type ConnectionRow = typeof connections.$inferSelect;
type AppRow = typeof apps.$inferSelect;

/** Credentials are sealed to their connection row: copied to another row, they no longer open. */
export const connectionCredentialsAad = (connectionId: string) => `connection:${connectionId}:credentials`;

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

async function assertTenantExists(db: Executor, workspaceId: string, tenantId: string): Promise<void> {
  const [row] = await db
    .select({ id: tenants.id })
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenantId)));
  if (!row) throw notFound("Tenant", tenantId);
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
    const basic = Buffer.from(`${parameters.username ?? ""}:${parameters.password ?? ""}`).toString("base64");
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

/** api_key and basic apps: validated (and tested) parameters, sealed, connected at once. */
export async function createConnection(
  sc: ServiceContext,
  input: CreateConnectionInput,
): Promise<Connection> {
  assertTenantAccess(sc.actor, input.tenantId);
  requirePermission(sc.actor, "connections:write");
  const workspaceId = sc.actor.workspaceId;
  await assertTenantExists(sc.db, workspaceId, input.tenantId);
  const app = await resolveApp(sc.db, workspaceId, input);
  if (app.archivedAt) throw notFound("App", app.id);
  if (app.authType === "oauth2") {
    throw appError("BAD_REQUEST", "invalid_input", "OAuth2 connections are not available yet");
  }
  const parameters = input.parameters ?? {};
  checkParameters(app, parameters);
  await runTestRequest(app, parameters);

  const id = newId("conn");
  const credentialsSealed = await sc.keyring.seal(
    JSON.stringify({ type: app.authType, parameters }),
    connectionCredentialsAad(id),
  );
  const now = new Date();
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
  // Another tenant's connection is answered exactly like a missing one.
  if (sc.actor.type === "access_token" && sc.actor.tenantId !== row.tenantId)
    throw notFound("Connection", id);
  return row;
}

export async function getConnection(sc: ServiceContext, id: string): Promise<Connection> {
  requirePermission(sc.actor, "connections:read");
  return toConnection(await loadConnectionRow(sc, id));
}

export async function listTenantConnections(
  sc: ServiceContext,
  tenantId: string,
): Promise<{ items: Connection[] }> {
  assertTenantAccess(sc.actor, tenantId);
  requirePermission(sc.actor, "connections:read");
  await assertTenantExists(sc.db, sc.actor.workspaceId, tenantId);
  const rows = await sc.db
    .select()
    .from(connections)
    .where(and(eq(connections.workspaceId, sc.actor.workspaceId), eq(connections.tenantId, tenantId)))
    .orderBy(desc(connections.id));
  return { items: rows.map(toConnection) };
}

/** Disconnects: the credentials are wiped, the row stays as a record that the connection existed. */
export async function deleteConnection(sc: ServiceContext, id: string): Promise<Connection> {
  requirePermission(sc.actor, "connections:write");
  const existing = await loadConnectionRow(sc, id);
  return sc.db.transaction(async (tx) => {
    const [row] = await tx
      .update(connections)
      .set({
        status: "disconnected",
        credentialsSealed: null,
        accessTokenExpiresAt: null,
        updatedAt: new Date(),
        version: existing.version + 1,
      })
      .where(and(eq(connections.workspaceId, existing.workspaceId), eq(connections.id, id)))
      .returning();
    await recordActivity(tx, sc, {
      tenantId: existing.tenantId,
      action: "connection.disconnected",
      targetType: "connection",
      targetId: id,
      before: { status: existing.status },
      after: { status: "disconnected" },
    });
    await archiveConnectionElements(tx, sc, existing);
    return toConnection(row!);
  });
}

/** The host backend's read of fresh credentials (API key only, checked by the procedure). */
export async function readConnectionCredentials(sc: ServiceContext, id: string): Promise<Credentials> {
  const row = await loadConnectionRow(sc, id);
  if (row.status !== "connected" || !row.credentialsSealed) {
    throw appError("CONFLICT", "conflict", `Connection ${id} is ${row.status}, it has no credentials`);
  }
  return JSON.parse(
    await sc.keyring.open(row.credentialsSealed, connectionCredentialsAad(id)),
  ) as Credentials;
}
