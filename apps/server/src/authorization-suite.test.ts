import { appRouter } from "@tenantry/api";
import { CSRF_HEADER, createOperator } from "@tenantry/api/operators";
import { createApiKey } from "@tenantry/api/server-runtime";
import {
  compileRoutes,
  ensureBuiltInRoles,
  type ProcedureEntry,
  procedureCatalog,
  toJsonSchema,
} from "@tenantry/api/testing";
import { signAccessToken } from "@tenantry/client";
import { PERMISSIONS } from "@tenantry/contracts/permissions";
import { rowsOf } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashOperatorPassword } from "./operator-passwords";
import { startTestServer, type TestServer } from "./testing/test-server";

/**
 * Generated from the router, never a hand-kept list: every procedure, over tRPC and (where it has a
 * route) REST, called by every kind of caller that must not reach tenant B. Each answer is 401, 403
 * or 404 — or, for a procedure that acts on the caller's own workspace or tenant, a success that
 * names nothing of B's — and B's rows are byte-for-byte unchanged afterwards.
 */

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  examples?: unknown[];
  default?: unknown;
};

const procedures = procedureCatalog(appRouter).map((def) => ({ path: def.path, def }));
const routes = new Map(compileRoutes(appRouter).map((route) => [route.procedurePath, route]));

let s: TestServer;
/** Tenant B's objects, which no caller below may read or change. */
const b = {} as Record<
  | "tenant"
  | "internalId"
  | "user"
  | "connection"
  | "app"
  | "template"
  | "element"
  | "role"
  | "permission"
  | "group"
  | "binding"
  | "webhookEndpoint"
  | "event",
  string
>;
const callers: {
  name: string;
  headers: Record<string, string>;
  kind: "token-of-a" | "workspace-2" | "member-of-b";
}[] = [];
let viewerPermissions: Set<string>;
/** Secrets B holds; no answer, log line or activity entry may ever contain one. */
const SECRET_MARKERS = {
  connection: "conn-secret-7f3a9c1e",
  credentials: "cred-secret-2b8d4e6f",
  secretField: "field-secret-9c1d5a3b",
};

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An example input from the input's JSON Schema, aimed at B's objects wherever it takes an id. */
function example(schema: JsonSchema | undefined, namespace: string, name = ""): unknown {
  if (!schema) return undefined;
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return example(options.find((o) => o.type !== "null") ?? options[0], namespace, name);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "object" || schema.properties) {
    const value: Record<string, unknown> = {};
    for (const key of schema.required ?? []) value[key] = example(schema.properties?.[key], namespace, key);
    return value;
  }
  if (type === "array") return schema.minItems ? [example(schema.items, namespace, name)] : [];
  if (type === "integer" || type === "number") return schema.minimum ?? (schema.exclusiveMinimum ?? 0) + 1;
  if (type === "boolean") return false;
  if (type === "string") return exampleString(schema, namespace, name);
  return {};
}

const ID_PREFIXES: Record<string, keyof typeof b> = {
  tenant: "tenant",
  user: "user",
  conn: "connection",
  app: "app",
  etpl: "template",
  elem: "element",
  role: "role",
  perm: "permission",
  grp: "group",
  rb: "binding",
  whep: "webhookEndpoint",
  evt: "event",
};
const NAMESPACE_IDS: Record<string, keyof typeof b> = {
  tenants: "tenant",
  connections: "connection",
  apps: "app",
  elementTemplates: "template",
  roles: "role",
  permissions: "permission",
  webhookEndpoints: "webhookEndpoint",
};

function exampleString(schema: JsonSchema, namespace: string, name: string): string {
  const prefix = schema.pattern?.match(/^\^([a-z]+)_/)?.[1];
  if (prefix && ID_PREFIXES[prefix]) return b[ID_PREFIXES[prefix]];
  if (name === "id" && NAMESPACE_IDS[namespace]) return b[NAMESPACE_IDS[namespace]];
  if (name === "internalId" || name === "sub") return b.internalId;
  if (Array.isArray(schema.examples) && typeof schema.examples[0] === "string") return schema.examples[0];
  if (schema.format === "email") return "probe@example.com";
  if (schema.format === "uri" || name.toLowerCase().endsWith("url")) return "https://example.com/x";
  if (schema.format === "date-time") return "2030-01-01T00:00:00Z";
  if (schema.format === "date") return "2030-01-01";
  return "probe".padEnd(schema.minLength ?? 1, "x");
}

async function snapshotOfB(): Promise<Record<string, string>> {
  const tables = await s.handle.db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.columns where column_name = 'tenant_id' and table_schema = 'public'`,
  );
  const names = rowsOf<{ table_name: string }>(tables).map((row) => row.table_name);
  const snapshot: Record<string, string> = {};
  for (const table of [...names, "tenants"]) {
    const column = table === "tenants" ? "id" : "tenant_id";
    const result = await s.handle.db.execute<{ digest: string | null }>(
      sql.raw(
        `select md5(string_agg(t::text, '|' order by t::text)) as digest from "${table}" t where ${column} = '${b.tenant}'`,
      ),
    );
    const rows = rowsOf<{ digest: string | null }>(result);
    snapshot[table] = rows[0]?.digest ?? "";
  }
  const users = await s.handle.db.execute<{ digest: string | null }>(
    sql.raw(
      `select md5(string_agg(u::text, '|' order by u::text)) as digest from users u where id = '${b.user}'`,
    ),
  );
  snapshot.users = rowsOf<{ digest: string | null }>(users)[0]?.digest as string;
  return snapshot;
}

beforeAll(async () => {
  s = await startTestServer();
  const api = async <T>(method: string, path: string, body: unknown, status: number) =>
    json<T>(await s.call(method, `/api/v1${path}`, body), status);
  const key = await api<{ id: string; secret: string }>("POST", "/signing-keys", { algorithm: "HS256" }, 201);
  const signingKey = { id: key.id, secret: key.secret };

  // Tenant B, with one of everything.
  b.internalId = `tenant-b-${Date.now()}`;
  const ownerExternalId = `b-owner-${Date.now()}`;
  const tenantB = await api<{ id: string; ownerUserId: string }>(
    "POST",
    "/tenants",
    {
      name: "Tenant B",
      internalId: b.internalId,
      owner: { email: "owner@b.example", externalId: ownerExternalId },
    },
    201,
  );
  b.tenant = tenantB.id;
  b.user = tenantB.ownerUserId;
  await api(
    "PUT",
    "/tenant-field-schema",
    {
      schema: {
        type: "object",
        properties: { region: { type: "string" }, apiToken: { type: "string", writeOnly: true } },
      },
    },
    200,
  );
  const app = await api<{ id: string }>(
    "POST",
    "/apps",
    {
      key: "probe-app",
      name: "Probe",
      authType: "api_key",
      parametersSchema: { type: "object", properties: { apiKey: { type: "string", writeOnly: true } } },
    },
    201,
  );
  b.app = app.id;
  b.connection = (
    await api<{ id: string }>(
      "POST",
      `/tenants/${b.tenant}/connections`,
      { appKey: "probe-app", parameters: { apiKey: SECRET_MARKERS.connection } },
      201,
    )
  ).id;
  await api("PATCH", `/tenants/${b.tenant}`, { credentials: { token: SECRET_MARKERS.credentials } }, 200);
  await api(
    "PATCH",
    `/tenants/${b.tenant}/fields`,
    { fields: { apiToken: SECRET_MARKERS.secretField } },
    200,
  );
  b.template = (
    await api<{ id: string }>(
      "POST",
      "/element-templates",
      {
        type: "action",
        key: "probe-action",
        name: "Probe",
        definition: { a: 1 },
        configSchema: { type: "object", properties: { a: { type: "number" } } },
      },
      201,
    )
  ).id;
  // Resolving only reads; the first change creates B's instance.
  b.element = (
    await api<{ id: string }>(
      "POST",
      `/tenants/${b.tenant}/elements/deploy`,
      { type: "action", key: "probe-action" },
      200,
    )
  ).id;
  const roles = await api<{ items: { id: string; key: string; permissions: string[] }[] }>(
    "GET",
    "/roles",
    undefined,
    200,
  );
  b.role = roles.items.find((role) => role.key === "viewer")!.id;
  viewerPermissions = new Set(roles.items.find((role) => role.key === "viewer")!.permissions);
  b.permission = (
    await api<{ id: string }>("POST", "/permissions", { key: "probe:approve", name: "Probe permission" }, 201)
  ).id;
  b.group = (
    await api<{ id: string }>("POST", `/tenants/${b.tenant}/groups`, { name: "Probe group" }, 201)
  ).id;
  const bindings = await api<{ items: { id: string }[] }>(
    "GET",
    `/tenants/${b.tenant}/role-bindings`,
    undefined,
    200,
  );
  b.binding = bindings.items[0]!.id;
  // Workspace-owned: another workspace's key must not reach it.
  b.webhookEndpoint = (
    await api<{ endpoint: { id: string } }>(
      "POST",
      "/webhook-endpoints",
      { url: "https://hooks.example.com/probe" },
      201,
    )
  ).endpoint.id;
  b.event = (
    await api<{ items: { id: string }[] }>("GET", `/events?tenantId=${b.tenant}&limit=1`, undefined, 200)
  ).items[0]!.id;

  // Members of B who must not get further than their standing allows.
  const member = async (role: string, then?: (userId: string) => Promise<void>) => {
    const externalId = `b-${role}-${Math.random().toString(36).slice(2, 8)}`;
    const created = await api<{ userId: string }>(
      "POST",
      `/tenants/${b.tenant}/memberships`,
      { email: `${externalId}@b.example`, externalId, status: "active", roles: [role] },
      201,
    );
    await then?.(created.userId);
    return signAccessToken({
      signingKey,
      tenant: { id: b.internalId },
      user: { id: externalId },
      expiresIn: "30m",
    });
  };
  const viewer = await member("viewer");
  const suspended = await member("admin", (userId) =>
    api("PATCH", `/tenants/${b.tenant}/memberships/${userId}`, { status: "suspended" }, 200),
  );
  const removed = await member("admin", (userId) =>
    api("DELETE", `/tenants/${b.tenant}/memberships/${userId}`, undefined, 204),
  );

  // Tenant A's token with every permission, and another workspace's API key.
  const tokenOfA = await signAccessToken({
    signingKey,
    tenant: { id: `tenant-a-${Date.now()}`, name: "Tenant A" },
    scope: [...PERMISSIONS],
    expiresIn: "30m",
  });
  const workspace2 = newId("ws");
  await s.handle.db.insert(workspaces).values({ id: workspace2, name: "Workspace 2" });
  await ensureBuiltInRoles(s.handle.db, workspace2);
  const { key: apiKey2 } = await createApiKey(s.handle.db, { workspaceId: workspace2, name: "other" });
  // And a console operator of that workspace, signed in: a session cookie plus its CSRF header.
  const operatorPassword = "probe-operator-password-2";
  await createOperator(s.handle.db, {
    workspaceId: workspace2,
    email: "ops@workspace2.example",
    name: "Ops 2",
    passwordHash: await hashOperatorPassword(operatorPassword),
  });
  const signedIn = await fetch(`${s.url}/console/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "ops@workspace2.example", password: operatorPassword }),
  });
  const { csrfToken } = await json<{ csrfToken: string }>(signedIn, 200);
  const operatorCookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0]!;

  callers.push(
    { name: "tenant A's token", headers: { authorization: `Bearer ${tokenOfA}` }, kind: "token-of-a" },
    {
      name: "another workspace's API key",
      headers: { authorization: `Bearer ${apiKey2}` },
      kind: "workspace-2",
    },
    {
      name: "another workspace's operator session",
      headers: { cookie: operatorCookie, [CSRF_HEADER]: csrfToken },
      kind: "workspace-2",
    },
    {
      name: "B's viewer (weakest role)",
      headers: { authorization: `Bearer ${viewer}` },
      kind: "member-of-b",
    },
    { name: "B's suspended admin", headers: { authorization: `Bearer ${suspended}` }, kind: "member-of-b" },
    { name: "B's removed admin", headers: { authorization: `Bearer ${removed}` }, kind: "member-of-b" },
  );
}, 120_000);
afterAll(() => s.close());

/**
 * An input that parses: the required fields first; refinements JSON Schema cannot show ("give
 * either email or userId") are met by adding one optional field at a time, then all of them.
 */
function inputFor(path: string, def: ProcedureEntry): unknown {
  const namespace = path.split(".")[0]!;
  const schema = toJsonSchema(def.input, "input") as JsonSchema | undefined;
  const base = example(schema, namespace);
  if (!def.input || def.input.safeParse(base).success || !schema?.properties) return base;
  const optional = Object.keys(schema.properties).filter((key) => !schema.required?.includes(key));
  const candidates = [
    ...optional.map((key) => ({
      ...(base as object),
      [key]: example(schema.properties![key], namespace, key),
    })),
    // Two at a time, for inputs that need one of each pair ("userId or userIds, permission or permissions").
    ...optional.flatMap((first, i) =>
      optional.slice(i + 1).map((second) => ({
        ...(base as object),
        [first]: example(schema.properties![first], namespace, first),
        [second]: example(schema.properties![second], namespace, second),
      })),
    ),
    Object.fromEntries(
      Object.keys(schema.properties).map((key) => [key, example(schema.properties![key], namespace, key)]),
    ),
  ];
  return candidates.find((candidate) => def.input!.safeParse(candidate).success) ?? base;
}

async function callTrpc(
  path: string,
  def: ProcedureEntry,
  input: unknown,
  callerHeaders: Record<string, string>,
) {
  const headers = { ...callerHeaders, "content-type": "application/json" };
  if (def.type === "query") {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return fetch(`${s.url}/trpc/${path}${query}`, { headers });
  }
  return fetch(`${s.url}/trpc/${path}`, { method: "POST", headers, body: JSON.stringify(input ?? null) });
}

async function callRest(path: string, input: unknown, callerHeaders: Record<string, string>) {
  const route = routes.get(path);
  if (!route) return null;
  const rest = { ...((input ?? {}) as Record<string, unknown>) };
  let url = route.path;
  for (const param of route.pathParams) {
    url = url.replace(`{${param}}`, encodeURIComponent(String(rest[param])));
    delete rest[param];
  }
  const headers: Record<string, string> = { ...callerHeaders };
  if (route.method === "GET" || route.method === "DELETE") {
    const query = new URLSearchParams(
      Object.entries(rest).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ).toString();
    return fetch(`${s.url}/api/v1${url}${query ? `?${query}` : ""}`, { method: route.method, headers });
  }
  return fetch(`${s.url}/api/v1${url}`, {
    method: route.method,
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(rest),
  });
}

const TENANT_OWNED = new Set(["tenant", "user", "connection", "element", "group", "binding"]);

/** What may come back: a refusal, or a success about the caller's own workspace or tenant only. */
function verdict(
  caller: (typeof callers)[number],
  def: ProcedureEntry,
  status: number,
  body: string,
): string | null {
  const access = def.meta.access;
  if ([401, 403, 404].includes(status)) return null;
  // B's own objects; roles, apps and templates are the workspace's, shared by all its tenants, and
  // B's internalId is the host's own string, which another workspace may reuse.
  const namesB = Object.entries(b).some(([kind, id]) => TENANT_OWNED.has(kind) && body.includes(id));
  // Another workspace's key acts on its own workspace: whatever it gets (a success, a conflict
  // with its own earlier probe, a rule its own data breaks) must name nothing of B's.
  if (caller.kind === "workspace-2" && status < 500 && !namesB) return null;
  // A's token may act on A's own tenant where the procedure takes the token's tenant.
  if (
    caller.kind === "token-of-a" &&
    status < 300 &&
    !namesB &&
    "tenant" in access &&
    access.tenant === "token"
  ) {
    return null;
  }
  if (caller.kind === "member-of-b" && "tenant" in access && def.type === "query") {
    // B's viewer may read what its role allows (suspended and removed members may not).
    if (status < 300 && (!access.permission || viewerPermissions.has(access.permission))) return null;
  }
  return `answered ${status}${namesB ? " naming B's objects" : ""}: ${body.slice(0, 160)}`;
}

describe("authorization, generated from the router", () => {
  it("builds a valid input for every procedure (a new procedure's input must be generatable)", () => {
    const unparsable = procedures
      .filter(({ def }) => def.input)
      .filter(({ path, def }) => !def.input!.safeParse(inputFor(path, def)).success)
      .map(({ path }) => path);
    expect(unparsable).toEqual([]);
  });

  it("lets no caller read or change tenant B, over tRPC and REST, and B's rows stay as they were", async () => {
    const before = await snapshotOfB();
    const problems: string[] = [];
    const answers: string[] = [];
    /** Callers that got at least one success: proof they were really signed in, not refused as 401. */
    const succeeded = new Set<string>();
    let calls = 0;
    for (const caller of callers) {
      for (const { path, def } of procedures) {
        // Tenant-level procedures on B are B's members' to call; workspace ones never are.
        const input = inputFor(path, def);
        for (const transport of ["trpc", "rest"] as const) {
          const response =
            transport === "trpc"
              ? await callTrpc(path, def, input, caller.headers)
              : await callRest(path, input, caller.headers);
          if (!response) continue;
          calls++;
          const text = await response.text();
          answers.push(text);
          if (response.status < 300) succeeded.add(caller.name);
          const problem = verdict(caller, def, response.status, text);
          if (problem) problems.push(`${caller.name} → ${transport} ${path}: ${problem}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect([...succeeded].sort()).toEqual(
      callers
        .filter((caller) => caller.kind !== "member-of-b" || caller.name.includes("viewer"))
        .map((caller) => caller.name)
        .sort(),
    );
    expect(calls).toBeGreaterThan(procedures.length * callers.length);
    expect(await snapshotOfB()).toEqual(before);

    // The sweep: no answer any caller got, no server log line and none of B's activity entries
    // (read with the workspace's own key) holds one of B's secrets.
    const activity = await (await s.call("GET", `/api/v1/tenants/${b.tenant}/activity?limit=100`)).text();
    const reads = await Promise.all(
      [`/tenants/${b.tenant}`, `/tenants/${b.tenant}/fields`, `/connections/${b.connection}`].map(
        async (path) => (await s.call("GET", `/api/v1${path}`)).text(),
      ),
    );
    for (const [where, texts] of [
      ["answers", answers],
      ["server log", s.logs],
      ["activity", [activity]],
      ["workspace reads", reads],
    ] as const) {
      for (const marker of Object.values(SECRET_MARKERS)) {
        expect(
          texts.some((text) => text.includes(marker)),
          `${where} hold ${marker}`,
        ).toBe(false);
      }
    }
  }, 240_000);
});
