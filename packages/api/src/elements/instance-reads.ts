import type { Database, Executor } from "@tenantry/db/database";
import { connections } from "@tenantry/db/schema/connections";
import { elementInstances, elementTemplates } from "@tenantry/db/schema/elements";
import { and, eq, isNull, or, sql } from "drizzle-orm";
import { readThrough } from "../invalidation/cache";
import { cacheOf } from "../invalidation/listener";
import { appError, notFound } from "../shared/errors";
import { isTransaction, prepared } from "../shared/prepared";
import type { ServiceContext } from "../shared/service-context";
import { assertTenantExists } from "../tenants/rows";
import type { Joined } from "./element-view";
import { elementArchived, type TemplateRow } from "./templates";

/**
 * Finding an instance, its template and its connection. Reads on the hot path are prepared
 * statements on the database itself (one round trip); inside a transaction the plain query runs.
 */

export interface ConnectionRef {
  id: string;
  tenantId: string;
  appId: string;
  status: string;
}

export const joinedColumns = { instance: elementInstances, template: elementTemplates };
export const templateJoin = and(
  eq(elementTemplates.workspaceId, elementInstances.workspaceId),
  eq(elementTemplates.id, elementInstances.templateId),
);

function byIdStatement(db: Database) {
  return prepared(db, "element_by_id", (d) =>
    d
      .select(joinedColumns)
      .from(elementInstances)
      .leftJoin(elementTemplates, templateJoin)
      .where(
        and(
          eq(elementInstances.workspaceId, sql.placeholder("workspaceId")),
          eq(elementInstances.tenantId, sql.placeholder("tenantId")),
          eq(elementInstances.id, sql.placeholder("id")),
        ),
      )
      .prepare("element_by_id"),
  );
}

export function byTemplateStatement(db: Database, withConnection: boolean) {
  const name = withConnection ? "element_by_template_connection" : "element_by_template";
  return prepared(db, name, (d) =>
    d
      .select(joinedColumns)
      .from(elementInstances)
      .leftJoin(elementTemplates, templateJoin)
      .where(
        and(
          eq(elementInstances.workspaceId, sql.placeholder("workspaceId")),
          eq(elementInstances.tenantId, sql.placeholder("tenantId")),
          eq(elementInstances.templateId, sql.placeholder("templateId")),
          withConnection
            ? eq(elementInstances.connectionId, sql.placeholder("connectionId"))
            : isNull(elementInstances.connectionId),
          eq(elementInstances.instanceKey, sql.placeholder("instanceKey")),
        ),
      )
      .prepare(name),
  );
}

function templateByIdStatement(db: Database) {
  return prepared(db, "element_template_by_id", (d) =>
    d
      .select()
      .from(elementTemplates)
      .where(
        and(
          eq(elementTemplates.workspaceId, sql.placeholder("workspaceId")),
          eq(elementTemplates.id, sql.placeholder("id")),
        ),
      )
      .prepare("element_template_by_id"),
  );
}

/** By type and key: the connection's app's template first, else the "any app" one. */
function templateByKeyStatement(db: Database) {
  return prepared(db, "element_template_by_key", (d) =>
    d
      .select()
      .from(elementTemplates)
      .where(
        and(
          eq(elementTemplates.workspaceId, sql.placeholder("workspaceId")),
          eq(elementTemplates.type, sql.placeholder("type")),
          eq(elementTemplates.key, sql.placeholder("key")),
          or(eq(elementTemplates.appId, sql.placeholder("appId")), isNull(elementTemplates.appId)),
        ),
      )
      .orderBy(sql`${elementTemplates.appId} nulls last`)
      .limit(1)
      .prepare("element_template_by_key"),
  );
}

function connectionStatement(db: Database) {
  return prepared(db, "element_connection", (d) =>
    d
      .select({
        id: connections.id,
        tenantId: connections.tenantId,
        appId: connections.appId,
        status: connections.status,
      })
      .from(connections)
      .where(
        and(
          eq(connections.workspaceId, sql.placeholder("workspaceId")),
          eq(connections.id, sql.placeholder("id")),
        ),
      )
      .prepare("element_connection"),
  );
}

export async function loadJoined(
  db: Executor,
  workspaceId: string,
  tenantId: string,
  id: string,
): Promise<Joined> {
  const rows = isTransaction(db)
    ? await db
        .select(joinedColumns)
        .from(elementInstances)
        .leftJoin(elementTemplates, templateJoin)
        .where(
          and(
            eq(elementInstances.workspaceId, workspaceId),
            eq(elementInstances.tenantId, tenantId),
            eq(elementInstances.id, id),
          ),
        )
    : // Cached per process (invalidation/): any write to the workspace's templates or instances
      // notifies every process in its own transaction.
      await readThrough(
        cacheOf(db),
        `element:${workspaceId}:${tenantId}:${id}`,
        () => byIdStatement(db).execute({ workspaceId, tenantId, id }),
        (found) => (found.length > 0 ? workspaceId : null),
      );
  const row = rows[0];
  if (!row) throw notFound("Element", id);
  return row;
}

/** A connection of this tenant; another tenant's is answered like a missing one. */
export async function loadTenantConnection(
  db: Database,
  workspaceId: string,
  tenantId: string,
  id: string,
): Promise<ConnectionRef> {
  const [row] = await connectionStatement(db).execute({ workspaceId, id });
  if (!row || row.tenantId !== tenantId) throw notFound("Connection", id);
  return row;
}

async function findTemplate(
  db: Database,
  workspaceId: string,
  input: { templateId?: string | undefined; type?: string | undefined; key?: string | undefined },
  connection: ConnectionRef | null,
): Promise<TemplateRow> {
  if (input.templateId) {
    const [row] = await templateByIdStatement(db).execute({ workspaceId, id: input.templateId });
    if (!row) throw notFound("Element template", input.templateId);
    return row;
  }
  const [row] = await templateByKeyStatement(db).execute({
    workspaceId,
    type: input.type,
    key: input.key,
    // No app matches "", so without a connection only the "any app" template is found.
    appId: connection?.appId ?? "",
  });
  if (!row) throw notFound("Element template", `${input.type}/${input.key}`);
  return row;
}

/** Which template instance a call means: by template id, or by type and key (+ connection, key). */
export interface TemplateSelector {
  tenantId: string;
  templateId?: string | undefined;
  type?: string | undefined;
  key?: string | undefined;
  connectionId?: string | undefined;
  instanceKey: string;
}

/** A template selector looked up: the template, the connection, and the instance's identity. */
export interface SelectedTemplate {
  template: TemplateRow;
  connection: ConnectionRef | null;
  identity: {
    workspaceId: string;
    tenantId: string;
    templateId: string;
    connectionId: string | null;
    instanceKey: string;
  };
}

/** Read-only, outside any transaction (prepared statements on the database itself). */
export async function selectTemplate(
  ctx: ServiceContext,
  input: TemplateSelector,
): Promise<SelectedTemplate> {
  const workspaceId = ctx.actor.workspaceId;
  const connection = input.connectionId
    ? await loadTenantConnection(ctx.db, workspaceId, input.tenantId, input.connectionId)
    : null;
  const template = await findTemplate(ctx.db, workspaceId, input, connection);
  if (template.appId && connection && template.appId !== connection.appId) {
    throw appError("BAD_REQUEST", "invalid_input", "The connection is to another app than the template's", {
      templateAppId: template.appId,
      connectionAppId: connection.appId,
    });
  }
  return {
    template,
    connection,
    identity: {
      workspaceId,
      tenantId: input.tenantId,
      templateId: template.id,
      connectionId: connection?.id ?? null,
      instanceKey: input.instanceKey,
    },
  };
}

/** What creating the instance would be refused for (checked before a view or a creation). */
export async function assertCreatable(ctx: ServiceContext, selected: SelectedTemplate): Promise<void> {
  if (selected.template.archivedAt) throw elementArchived("The template");
  if (selected.connection?.status === "disconnected") throw elementArchived("The connection");
  await assertTenantExists(ctx.db, ctx.actor.workspaceId, selected.identity.tenantId);
}
