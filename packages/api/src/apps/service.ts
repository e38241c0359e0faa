import type {
  App,
  CatalogApp,
  CreateAppInput,
  TokenEndpointAuthMethod,
  UpdateAppInput,
} from "@tenantry/contracts/apps";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { apps } from "@tenantry/db/schema/connections";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { compileFieldSchema } from "../fields/field-schema";
import { workspaceAad } from "../secrets/keyring";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";

type AppRow = typeof apps.$inferSelect;

/** The client secret is sealed to its app row, so a sealed value copied to another app will not open. */
export const clientSecretAad = (app: { workspaceId: string; id: string }) =>
  workspaceAad(app.workspaceId, `app:${app.id}:client_secret`);

export function toApp(row: AppRow): App {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    logoUrl: row.logoUrl,
    authType: row.authType,
    oauth2: row.oauth2
      ? {
          ...row.oauth2,
          tokenEndpointAuthMethod: row.oauth2.tokenEndpointAuthMethod ?? "client_secret_basic",
          hasClientSecret: row.clientSecretSealed !== null,
        }
      : null,
    parametersSchema: row.parametersSchema,
    testRequest: storedTestRequest(row.testRequest),
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Only the fields Tenantry uses, whatever else the input object carried. */
function storedTestRequest(
  input: CreateAppInput["testRequest"] | AppRow["testRequest"],
): AppRow["testRequest"] {
  return input ? { url: input.url, method: input.method, headers: input.headers } : null;
}

function checkAppShape(input: CreateAppInput): void {
  if (input.authType === "oauth2" && !input.oauth2) {
    throw appError("BAD_REQUEST", "invalid_input", "An oauth2 app needs its oauth2 settings", {
      issues: [{ path: "oauth2", message: "is required for authType oauth2" }],
    });
  }
  if (input.authType !== "oauth2" && input.oauth2) {
    throw appError("BAD_REQUEST", "invalid_input", "Only an oauth2 app has oauth2 settings", {
      issues: [{ path: "oauth2", message: `is not allowed for authType ${input.authType}` }],
    });
  }
  if (input.authType === "oauth2" && (input.parametersSchema || input.testRequest)) {
    throw appError("BAD_REQUEST", "invalid_input", "An oauth2 app takes no parameters or test request", {
      issues: [{ path: input.parametersSchema ? "parametersSchema" : "testRequest", message: "not allowed" }],
    });
  }
  if (input.oauth2) checkClientSecret(input.oauth2.tokenEndpointAuthMethod, input.oauth2.clientSecret, false);
  // Same JSON Schema subset and validator as tenant fields: a broken schema is refused here, not later.
  if (input.parametersSchema) compileFieldSchema(input.parametersSchema);
}

/**
 * A confidential client (`client_secret_basic`, `client_secret_post`) needs a secret, given now or
 * kept from before; a public client (`none`) has none, so one given is refused rather than ignored.
 */
function checkClientSecret(
  method: TokenEndpointAuthMethod | undefined,
  clientSecret: string | undefined,
  hasStoredSecret: boolean,
): void {
  if (method === "none" && clientSecret !== undefined) {
    throw appError(
      "BAD_REQUEST",
      "invalid_input",
      "A public client (tokenEndpointAuthMethod none) has no secret",
      {
        issues: [
          { path: "oauth2.clientSecret", message: "is not allowed with tokenEndpointAuthMethod none" },
        ],
      },
    );
  }
  if (method !== "none" && clientSecret === undefined && !hasStoredSecret) {
    throw appError("BAD_REQUEST", "invalid_input", "A confidential OAuth2 client needs its client secret", {
      issues: [
        { path: "oauth2.clientSecret", message: "is required unless tokenEndpointAuthMethod is none" },
      ],
    });
  }
}

export async function createApp(sc: ServiceContext, input: CreateAppInput): Promise<App> {
  checkAppShape(input);
  const workspaceId = sc.actor.workspaceId;
  const id = newId("app");
  const { clientSecret, ...oauth2 } = input.oauth2 ?? { clientSecret: undefined };
  const clientSecretSealed = clientSecret
    ? await sc.keyring.seal(clientSecret, clientSecretAad({ workspaceId, id }))
    : null;
  try {
    return await sc.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(apps)
        .values({
          workspaceId,
          id,
          key: input.key,
          name: input.name,
          logoUrl: input.logoUrl ?? null,
          authType: input.authType,
          oauth2: input.oauth2 ? (oauth2 as NonNullable<AppRow["oauth2"]>) : null,
          clientSecretSealed,
          parametersSchema: input.parametersSchema ?? null,
          testRequest: storedTestRequest(input.testRequest),
        })
        .returning();
      const app = toApp(row!);
      await recordActivity(tx, sc, {
        tenantId: null,
        action: "app.created",
        targetType: "app",
        targetId: id,
        after: app,
      });
      return app;
    });
  } catch (error) {
    if (violatedUniqueConstraint(error) === "apps_key_unique") {
      throw appError("CONFLICT", "conflict", `An app with key "${input.key}" already exists`, {
        issues: [{ path: "key", message: "is taken" }],
      });
    }
    throw error;
  }
}

export async function loadAppRow(db: Executor, workspaceId: string, id: string): Promise<AppRow> {
  const [row] = await db
    .select()
    .from(apps)
    .where(and(eq(apps.workspaceId, workspaceId), eq(apps.id, id)));
  if (!row) throw notFound("App", id);
  return row;
}

export async function getApp(db: Executor, workspaceId: string, id: string): Promise<App> {
  return toApp(await loadAppRow(db, workspaceId, id));
}

export async function listApps(db: Executor, workspaceId: string): Promise<{ items: App[] }> {
  const rows = await db
    .select()
    .from(apps)
    .where(and(eq(apps.workspaceId, workspaceId), isNull(apps.archivedAt)))
    .orderBy(asc(apps.key));
  return { items: rows.map(toApp) };
}

/** The catalog as a tenant's widget lists it (active apps only; the same for every tenant). */
export async function listCatalogForTenant(sc: ServiceContext): Promise<{ items: CatalogApp[] }> {
  const { items } = await listApps(sc.db, sc.actor.workspaceId);
  return {
    items: items.map(({ id, key, name, logoUrl, authType, parametersSchema }) => ({
      id,
      key,
      name,
      logoUrl,
      authType,
      parametersSchema,
    })),
  };
}

/** Changes an app in place; connections keep working, and OAuth changes apply to the next authorization. */
export async function updateApp(sc: ServiceContext, input: UpdateAppInput): Promise<App> {
  const workspaceId = sc.actor.workspaceId;
  return sc.db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(apps)
      .where(and(eq(apps.workspaceId, workspaceId), eq(apps.id, input.id)))
      .for("update");
    if (!existing || existing.archivedAt) throw notFound("App", input.id);
    if (input.oauth2 && existing.authType !== "oauth2") {
      throw appError("BAD_REQUEST", "invalid_input", "Only an oauth2 app has oauth2 settings", {
        issues: [{ path: "oauth2", message: `is not allowed for authType ${existing.authType}` }],
      });
    }
    if (existing.authType === "oauth2" && (input.parametersSchema || input.testRequest)) {
      throw appError("BAD_REQUEST", "invalid_input", "An oauth2 app takes no parameters or test request");
    }
    if (input.parametersSchema) compileFieldSchema(input.parametersSchema);
    const { clientSecret, ...oauth2Changes } = input.oauth2 ?? {};
    const oauth2 =
      existing.oauth2 && input.oauth2 ? { ...existing.oauth2, ...oauth2Changes } : existing.oauth2;
    // Becoming a public client drops the stored secret: nothing may send it any more.
    const becomesPublic = oauth2?.tokenEndpointAuthMethod === "none";
    if (input.oauth2) {
      checkClientSecret(oauth2?.tokenEndpointAuthMethod, clientSecret, existing.clientSecretSealed !== null);
    }
    const [row] = await tx
      .update(apps)
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.logoUrl !== undefined ? { logoUrl: input.logoUrl } : {}),
        ...(input.parametersSchema !== undefined ? { parametersSchema: input.parametersSchema } : {}),
        ...(input.testRequest !== undefined ? { testRequest: storedTestRequest(input.testRequest) } : {}),
        oauth2,
        ...(clientSecret
          ? { clientSecretSealed: await sc.keyring.seal(clientSecret, clientSecretAad(existing)) }
          : becomesPublic
            ? { clientSecretSealed: null }
            : {}),
        version: sql`${apps.version} + 1`,
        updatedAt: new Date(),
      })
      .where(and(eq(apps.workspaceId, workspaceId), eq(apps.id, input.id)))
      .returning();
    const before = toApp(existing);
    const after = toApp(row!);
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "app.updated",
      targetType: "app",
      targetId: existing.id,
      before: { ...before, clientSecretChanged: false },
      after: {
        ...after,
        clientSecretChanged: Boolean(clientSecret) || (becomesPublic && existing.clientSecretSealed !== null),
      },
    });
    return after;
  });
}

/**
 * Archives an app: it leaves the catalog and takes no new connections; existing connections keep
 * their credentials and refreshes until they are disconnected.
 */
export async function archiveApp(sc: ServiceContext, id: string): Promise<App> {
  const workspaceId = sc.actor.workspaceId;
  return sc.db.transaction(async (tx) => {
    const [row] = await tx
      .update(apps)
      .set({ archivedAt: new Date(), updatedAt: new Date(), version: sql`${apps.version} + 1` })
      .where(and(eq(apps.workspaceId, workspaceId), eq(apps.id, id), isNull(apps.archivedAt)))
      .returning();
    if (!row) throw notFound("App", id);
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "app.archived",
      targetType: "app",
      targetId: id,
      after: { archivedAt: row.archivedAt!.toISOString() },
    });
    return toApp(row);
  });
}
