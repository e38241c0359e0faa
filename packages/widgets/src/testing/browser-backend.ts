import { createCaller, createContext } from "@tenantry/api";
import { createApiKey, type Keyring, randomKeyring } from "@tenantry/api/server-runtime";
import type { FieldSchemaDocument } from "@tenantry/contracts/fields";
import type { Database } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { openPglite } from "@tenantry/db/pglite";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { createTeam, createTenantFor, createWidgetWorld, SAMPLE_PEOPLE, type WidgetWorld } from "./world.js";

/**
 * The real Tenantry router and database inside the browser, for Storybook: PGlite in memory,
 * started from a data directory that the real migrator prepared at build time (served beside
 * iframe.html by `.storybook/main.ts`), so a static Storybook build is interactive with no server.
 */
const DUMP_FILE = "tenantry-db.tar.gz";

interface Backend {
  db: Database;
  keyring: Keyring;
}

let backend: Promise<Backend> | null = null;

/** One database per browser tab, migrated once; every story then gets its own workspace in it. */
export function browserBackend(): Promise<Backend> {
  backend ??= (async () => {
    const response = await fetch(new URL(DUMP_FILE, document.baseURI));
    if (!response.ok) throw new Error(`${DUMP_FILE}: ${response.status} (run Storybook through its config)`);
    const handle = await openPglite({ loadDataDir: await response.blob() });
    return { db: handle.db, keyring: await randomKeyring() };
  })();
  return backend;
}

export interface StoryWorld extends WidgetWorld {
  db: Database;
  keyring: Keyring;
  workspaceId: string;
  tenantId: string;
  /** A token for the story's tenant, signed as the host's backend would sign it. */
  token: string;
}

/** A fresh workspace in the shared in-browser database, with its API key caller and token signer. */
async function storyWorkspace(schema?: FieldSchemaDocument) {
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
  const world = await createWidgetWorld(api, schema ? { schema } : {});
  return { db, keyring, world, workspaceId };
}

/**
 * The member table's stories: a fresh workspace and a team seeded through the members API; the token
 * acts as `as` (the owner by default, or one of the sample people by first name, e.g. "amara").
 */
export async function createStoryTeam(
  options: Parameters<typeof createTeam>[2] & { as?: string; invalidToken?: boolean } = {},
): Promise<StoryWorld> {
  const { db, keyring, world, workspaceId } = await storyWorkspace();
  const sub = "acme-corp";
  const { as, invalidToken, ...teamOptions } = options;
  const team = await createTeam(world, sub, teamOptions);
  const person = as ? (options.people ?? SAMPLE_PEOPLE).find((p) => p.firstName.toLowerCase() === as) : null;
  const userId = person
    ? `${sub}-${person.firstName.toLowerCase()}-${person.lastName.toLowerCase()}`
    : `${sub}-owner`;
  const token = await world.signToken({
    sub,
    user: { id: userId },
    expiresIn: 3600,
    ...(invalidToken ? { unknownKey: true } : {}),
  });
  return { ...world, db, keyring, workspaceId, tenantId: team.tenantId, token };
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
  const { db, keyring, world, workspaceId } = await storyWorkspace(options.schema);
  const sub = "acme-corp";
  const tenantId = await createTenantFor(world.api, sub, {
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
  return { ...world, db, keyring, workspaceId, tenantId, token };
}
