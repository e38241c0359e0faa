/// <reference types="vite/client" />
import { createApiKey } from "@tenantry/api/api-keys/service";
import { createContext } from "@tenantry/api/context";
import type { FieldSchemaDocument } from "@tenantry/api/fields/field-schema";
import { createCaller } from "@tenantry/api/root";
import { type Keyring, randomKeyring } from "@tenantry/api/secrets/keyring";
import type { Database } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { openPglite } from "@tenantry/db/pglite";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { createTenantFor, createWidgetWorld, type WidgetWorld } from "./world";

/**
 * The real Tenantry router and database inside the browser, for Storybook: PGlite in memory with
 * the committed migrations applied, so a static Storybook build is interactive with no server.
 * drizzle's migrator reads its folder with node:fs, so the same SQL files come in through Vite.
 */
const migrations = import.meta.glob<string>("../../../db/migrations/*.sql", {
  query: "?raw",
  import: "default",
  eager: true,
});

interface Backend {
  db: Database;
  keyring: Keyring;
}

let backend: Promise<Backend> | null = null;

/** One database per browser tab, migrated once; every story then gets its own workspace in it. */
export function browserBackend(): Promise<Backend> {
  backend ??= (async () => {
    const handle = await openPglite();
    const files = Object.keys(migrations).sort();
    for (const file of files) await handle.client.exec(migrations[file]!);
    return { db: handle.db, keyring: await randomKeyring() };
  })();
  return backend;
}

export interface StoryWorld extends WidgetWorld {
  db: Database;
  keyring: Keyring;
  tenantId: string;
  /** A token for the story's tenant, signed as the host's backend would sign it. */
  token: string;
}

/**
 * A fresh workspace (its own schema, keys and tenant) in the shared in-browser database, so stories
 * do not see each other's data.
 */
export async function createStoryWorld(options: {
  schema?: FieldSchemaDocument;
  values?: Record<string, unknown>;
  locale?: string;
  scope?: string;
  /** A token signed by a key the workspace does not know: every call answers 401. */
  invalidToken?: boolean;
}): Promise<StoryWorld> {
  const { db, keyring } = await browserBackend();
  const workspaceId = newId("ws");
  await db.insert(workspaces).values({ id: workspaceId, name: "Storybook" });
  const { key } = await createApiKey(db, { workspaceId, name: "storybook" });
  const api = createCaller(
    createContext({
      db,
      keyring,
      header: (name) => (name === "authorization" ? `Bearer ${key}` : undefined),
    }),
  );
  const world = await createWidgetWorld(api, options.schema ? { schema: options.schema } : {});
  const sub = "acme-corp";
  const tenantId = await createTenantFor(api, sub, {
    name: "Acme Corp",
    ...(options.values ? { fields: options.values } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
  });
  const token = await world.signToken({
    sub,
    scope: options.scope ?? "fields:read fields:write",
    expiresIn: 3600,
    ...(options.invalidToken ? { unknownKey: true } : {}),
  });
  return { ...world, db, keyring, tenantId, token };
}
