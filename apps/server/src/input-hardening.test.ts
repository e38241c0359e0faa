import { databaseInputError, describeError, errorForLog, MAX_INPUT_DEPTH } from "@tenantry/api/http";
import { newId } from "@tenantry/db/ids";
import { activityLog } from "@tenantry/db/schema/activity";
import { apps, connections } from "@tenantry/db/schema/connections";
import { groups } from "@tenantry/db/schema/members";
import { tenants } from "@tenantry/db/schema/tenants";
import { asc, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

/**
 * Issue 15: bad input is a clear 4xx that changes nothing, over REST and tRPC alike, against the
 * real HTTP server and database; and the server's log never carries a request's values.
 */

let s: TestServer;
let tenantId: string;

/** In every attack's values, so the last test can prove none of them reached a log line. */
const MARKER = "hardening-marker-5c1e";
const unknownTenant = newId("tenant");

beforeAll(async () => {
  s = await startTestServer();
  const schema = await s.call("PUT", "/api/v1/tenant-field-schema", {
    schema: { type: "object", properties: { region: { type: "string" } } },
  });
  expect(schema.status).toBe(200);
  const app = await s.call("POST", "/api/v1/apps", { key: "keyed", name: "Keyed", authType: "api_key" });
  expect(app.status).toBe(201);
  const tenant = await s.call("POST", "/api/v1/tenants", { name: "Hardened", metadata: { kept: true } });
  expect(tenant.status).toBe(201);
  tenantId = ((await tenant.json()) as { id: string }).id;
});
afterAll(() => s.close());

/** Every row an attack could touch, to compare before and after. */
async function snapshot() {
  const db = s.handle.db;
  return {
    tenants: await db.select().from(tenants).orderBy(asc(tenants.id)),
    groups: await db.select().from(groups).orderBy(asc(groups.id)),
    apps: await db.select().from(apps).orderBy(asc(apps.id)),
    connections: await db.select().from(connections).orderBy(asc(connections.id)),
    activity: await db.select().from(activityLog).orderBy(asc(activityLog.id)),
  };
}

const trpcPost = (procedure: string, body: unknown) => s.call("POST", `/trpc/${procedure}`, body);
const trpcGet = (procedure: string, input: unknown) =>
  s.call("GET", `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`);

/** `{"a":{"a":…1…}}` as text: a value this deep cannot even be built by JSON.stringify. */
const nestedText = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;

interface Answer {
  status: number;
  code: unknown;
  message: unknown;
  issues: { path: string; message: string }[] | undefined;
}

/** The error as a client reads it: REST's body, or tRPC's `error` with its `data`. */
async function answerOf(response: Response): Promise<Answer> {
  type Issues = Answer["issues"];
  const body = (await response.json()) as {
    error?: { message: string; data?: { appCode?: string; issues?: Issues } };
    code?: string;
    message?: string;
    issues?: Issues;
  };
  if (body.error) {
    const { message, data } = body.error;
    return { status: response.status, code: data?.appCode, message, issues: data?.issues };
  }
  return { status: response.status, code: body.code, message: body.message, issues: body.issues };
}

interface Attack {
  name: string;
  rest: () => Promise<Response>;
  trpc: () => Promise<Response>;
  expected: (transport: "REST" | "tRPC") => {
    status: number;
    code: string;
    path?: RegExp | string;
    message: string;
  };
}

const NUL = "must not contain the NUL character (U+0000)";
const invalid = (path: string | RegExp, message: string) => () => ({
  status: 400,
  code: "invalid_input",
  path,
  message,
});

const attacks: Attack[] = [
  {
    name: "a NUL byte in a field value",
    rest: () =>
      s.call("PATCH", `/api/v1/tenants/${tenantId}/fields`, { fields: { region: `${MARKER}\u0000` } }),
    trpc: () => trpcPost("fields.patchForTenant", { tenantId, fields: { region: `${MARKER}\u0000` } }),
    expected: invalid("fields.region", NUL),
  },
  {
    name: "a NUL byte in a metadata key",
    rest: () => s.call("PATCH", `/api/v1/tenants/${tenantId}`, { metadata: { [`${MARKER}\u0000`]: 1 } }),
    trpc: () => trpcPost("tenants.patch", { id: tenantId, metadata: { [`${MARKER}\u0000`]: 1 } }),
    expected: invalid(`metadata.${MARKER}\\u0000`, "this key must not contain the NUL character (U+0000)"),
  },
  {
    name: "a NUL byte in a tenant name",
    rest: () => s.call("POST", "/api/v1/tenants", { name: `${MARKER}\u0000` }),
    trpc: () => trpcPost("tenants.create", { name: `${MARKER}\u0000` }),
    expected: invalid("name", NUL),
  },
  {
    name: "a NUL byte in ?q=",
    rest: () => s.call("GET", `/api/v1/tenants?q=${MARKER}%00`),
    trpc: () => trpcGet("tenants.list", { q: `${MARKER}\u0000` }),
    expected: invalid("q", NUL),
  },
  {
    name: "a NUL byte in ?internalId=",
    rest: () => s.call("GET", `/api/v1/tenants?internalId=${MARKER}%00`),
    trpc: () => trpcGet("tenants.list", { internalId: `${MARKER}\u0000` }),
    expected: invalid("internalId", NUL),
  },
  {
    name: "a lone surrogate in a field value",
    // JSON.stringify writes a lone surrogate as the escape `\ud800`, which JSON.parse reads back as one.
    rest: () =>
      s.call("PATCH", `/api/v1/tenants/${tenantId}/fields`, { fields: { region: `${MARKER}\ud800` } }),
    trpc: () => trpcPost("fields.patchForTenant", { tenantId, fields: { region: `${MARKER}\ud800` } }),
    expected: invalid(
      "fields.region",
      `must be valid Unicode (an unpaired surrogate at index ${MARKER.length})`,
    ),
  },
  {
    name: "connection parameters nested 20,000 deep",
    rest: () =>
      s.call(
        "POST",
        `/api/v1/tenants/${tenantId}/connections`,
        `{"appKey":"keyed","name":"${MARKER}","parameters":${nestedText(20_000)}}`,
      ),
    trpc: () =>
      trpcPost(
        "connections.create",
        `{"tenantId":"${tenantId}","appKey":"keyed","name":"${MARKER}","parameters":${nestedText(20_000)}}`,
      ),
    expected: invalid(/^parameters(\.a)+$/, `nests deeper than ${MAX_INPUT_DEPTH} levels`),
  },
  {
    name: "a group for a tenant that does not exist",
    rest: () => s.call("POST", `/api/v1/tenants/${unknownTenant}/groups`, { name: MARKER }),
    trpc: () => trpcPost("roles.createGroup", { tenantId: unknownTenant, name: MARKER }),
    expected: () => ({ status: 404, code: "not_found", message: `Tenant ${unknownTenant} was not found` }),
  },
];
describe.each(["REST", "tRPC"] as const)(
  "over %s, bad input is a clear 4xx that changes nothing",
  (transport) => {
    it.each(attacks)("$name", async (attack) => {
      const before = await snapshot();
      const answer = await answerOf(await (transport === "REST" ? attack.rest() : attack.trpc()));
      const expected = attack.expected(transport);
      expect(answer).toMatchObject({ status: expected.status, code: expected.code });
      if (expected.path === undefined) {
        expect(answer.message).toBe(expected.message);
      } else {
        expect(answer.issues).toHaveLength(1);
        const [issue] = answer.issues!;
        expect(issue!.message).toBe(expected.message);
        if (typeof expected.path === "string") expect(issue!.path).toBe(expected.path);
        else expect(issue!.path).toMatch(expected.path);
        expect(answer.message).toBe(`${issue!.path} ${expected.message}`);
      }
      expect(await snapshot()).toEqual(before);
    });
  },
);

describe("what still works", () => {
  it("accepts emoji and other valid surrogate pairs, and nesting within the limit", async () => {
    const fields = await s.call("PATCH", `/api/v1/tenants/${tenantId}/fields`, {
      fields: { region: "eu 🇪🇺" },
    });
    expect(fields.status).toBe(200);
    const viaTrpc = await trpcPost("tenants.patch", { id: tenantId, metadata: { "ключ 🔑": "значение 🚀" } });
    expect(viaTrpc.status).toBe(200);
    const [row] = await s.handle.db.select().from(tenants).where(sql`${tenants.id} = ${tenantId}`);
    expect(row!.metadata).toEqual({ "ключ 🔑": "значение 🚀" });
    const listed = await s.call("GET", `/api/v1/tenants?q=${encodeURIComponent("Hardened 🚀")}`);
    expect(listed.status).toBe(200);
    // Within the depth limit the request reaches the procedure (which answers for itself).
    const notDeep = await s.call("POST", "/api/v1/tenants", `{"name":"Nested","metadata":${nestedText(9)}}`);
    expect(notDeep.status).toBe(400);
    expect((await answerOf(notDeep)).issues?.[0]?.message).toBe("nests deeper than 8 levels");
  });

  it("refuses a NUL in a query parameter's name and in a path parameter", async () => {
    const key = await answerOf(await s.call("GET", `/api/v1/tenants?${MARKER}%00=1`));
    expect(key).toMatchObject({ status: 400, code: "invalid_input" });
    expect(key.issues?.[0]?.message).toBe("this key must not contain the NUL character (U+0000)");
    // (Not the marker: the access log names the path, as it names every request's.)
    const path = await answerOf(await s.call("GET", "/api/v1/tenants/tenant_x%00"));
    expect(path).toMatchObject({
      status: 400,
      code: "invalid_input",
      issues: [{ path: "id", message: NUL }],
    });
  });
});

describe("the database safety net, on this database's real errors", () => {
  it("maps a foreign key to a missing parent to 404 naming the parent, and logs it without values", async () => {
    const workspaceId = s.workspaceId;
    const error = await s.handle.db
      .insert(groups)
      .values({ workspaceId, id: newId("grp"), tenantId: `tenant_${MARKER}`, name: MARKER })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    const mapped = databaseInputError(error);
    expect(mapped && describeError(mapped)).toEqual({
      status: 404,
      body: { code: "not_found", message: "Tenant not found" },
    });
    const logged = JSON.stringify(errorForLog(error));
    expect(logged).not.toContain(MARKER);
    expect(logged).toContain('"code":"23503"');
    expect(logged).toContain("groups_workspace_id_tenant_id_tenants_workspace_id_id_fk");
    expect(logged).toContain('insert into \\"groups\\"');
  });

  it("maps text the database cannot store to 400", async () => {
    const error = await s.handle.db
      .update(tenants)
      .set({ name: `${MARKER}\u0000` })
      .where(sql`${tenants.id} = ${tenantId}`)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    const mapped = databaseInputError(error);
    expect(mapped && describeError(mapped).body.code).toBe("invalid_input");
    expect(JSON.stringify(errorForLog(error))).not.toContain(MARKER);
  });
});

describe("logs carry no request values", () => {
  it("logs a database error as its SQL shape, code and constraint, over REST and tRPC", async () => {
    // A rule the server does not know about makes the insert fail in the database itself: a 500,
    // logged, whose parameters and detail ("Failing row contains (…)") hold the request's values.
    await s.handle.db.execute(
      sql.raw(
        `alter table tenants add constraint hardening_no_marker check (position('${MARKER}' in name) = 0)`,
      ),
    );
    try {
      const from = s.logs.length;
      const viaRest = await s.call("POST", "/api/v1/tenants", {
        name: `${MARKER} rest`,
        metadata: { m: MARKER },
      });
      expect(await answerOf(viaRest)).toMatchObject({ status: 500, code: "internal_error" });
      const viaTrpc = await trpcPost("tenants.create", { name: `${MARKER} trpc`, metadata: { m: MARKER } });
      expect(await answerOf(viaTrpc)).toMatchObject({ status: 500, code: "internal_error" });

      const errors = s.logs
        .slice(from)
        .map((line) => JSON.parse(line) as { level: number; msg: string; err?: unknown; requestId?: string })
        .filter((line) => line.level >= 50);
      expect(errors.map((line) => line.msg).sort()).toEqual(["REST request failed", "tRPC call failed"]);
      for (const line of errors) {
        const text = JSON.stringify(line);
        expect(text).toContain('"code":"23514"');
        expect(text).toContain('"constraint":"hardening_no_marker"');
        expect(text).toContain('insert into \\"tenants\\"');
        expect(text).not.toContain("params");
        expect(line.requestId).toEqual(expect.any(String));
      }
    } finally {
      await s.handle.db.execute(sql.raw("alter table tenants drop constraint hardening_no_marker"));
    }
  });

  it("never wrote any attack's values to the log", () => {
    expect(s.logs.length).toBeGreaterThan(0);
    for (const line of s.logs) {
      expect(line).not.toContain(MARKER);
      expect(line).not.toMatch(/Failed query:|params:/);
    }
  });
});
