import { appRouter } from "@tenantry/api";
import { compileRoutes, type ProcedureEntry, procedureCatalog, toJsonSchema } from "@tenantry/api/testing";
import { rowsOf } from "@tenantry/db/database";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

/**
 * Property-based, over every procedure's input and both transports, with the workspace's own API key
 * (the caller that gets furthest): random, boundary, hostile unicode (NUL, lone surrogates), huge,
 * deeply nested and `__proto__`-keyed inputs answer 2xx or 4xx, never 5xx, and an input refused
 * with a 4xx writes nothing. Generated from the router: a new procedure is covered the day it is added.
 */
const procedures = procedureCatalog(appRouter).map((def) => ({ path: def.path, def }));

const routes = new Map(compileRoutes(appRouter).map((route) => [route.procedurePath, route]));

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const hostileString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\ud800",
    "x\udfff",
    "\ud83d\ude00",
    "",
    " ",
    "%00",
    "'; drop table tenants; --",
  ),
  fc.string({ minLength: 5000, maxLength: 70_000 }),
);
const hostileKey = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("__proto__", "constructor", "prototype", "a\u0000"),
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.constantFrom(null, true, false, Number.MAX_SAFE_INTEGER, -1, 0),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie("value"), { maxKeys: 4 }),
  ),
})).value;
/** Nested far beyond the 64-level limit, built iteratively (20,000 levels: input-hardening.test.ts). */
const deep = fc.integer({ min: 100, max: 2_000 }).map((depth) => {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
});

/** A plausible input (each required field of the schema) with one field made hostile, or noise. */
function inputArbitrary(def: ProcedureEntry): fc.Arbitrary<unknown> {
  const schema = toJsonSchema(def.input, "input") as { properties?: Record<string, unknown> } | null;
  const keys = Object.keys(schema?.properties ?? {});
  const noise = fc.oneof(hostileValue, deep);
  if (keys.length === 0) return noise;
  return fc.oneof(
    noise,
    fc
      .record({ key: fc.constantFrom(...keys), value: fc.oneof(hostileValue, deep) })
      .map(({ key, value }) => ({
        [key]: value,
      })),
    fc.dictionary(fc.oneof(fc.constantFrom(...keys), hostileKey), fc.oneof(hostileValue, deep), {
      maxKeys: 6,
    }),
  );
}

/** A value as a query-string or path segment: strings as they are, anything else as JSON. */
const asText = (value: unknown): string =>
  typeof value === "string" ? value : (JSON.stringify(value) ?? "");

let countAll: string | null = null;
/** Every table's row count in one round trip: what a refused write must leave as it was. */
async function rowCounts(): Promise<string> {
  if (!countAll) {
    const result = await s.handle.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    const rows = rowsOf<{ table_name: string }>(result);
    // Sign-in bookkeeping and request logs are not what a refused write may change.
    const tables = rows.map((row) => row.table_name).filter((name) => !/throttle|attempt|session/.test(name));
    countAll = `select ${tables.map((t) => `(select count(*) from "${t}")::text`).join(" || ',' || ")} as t`;
  }
  const result = await s.handle.db.execute<{ t: string }>(sql.raw(countAll));
  const rows = rowsOf<{ t: string }>(result);
  return rows[0]!.t;
}

async function call(
  transport: "trpc" | "rest",
  path: string,
  def: ProcedureEntry,
  input: unknown,
): Promise<number | null> {
  const headers = { authorization: `Bearer ${s.apiKey}`, "content-type": "application/json" };
  let response: Response;
  if (transport === "trpc") {
    response =
      def.type === "query"
        ? await fetch(`${s.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
        : await fetch(`${s.url}/trpc/${path}`, { method: "POST", headers, body: JSON.stringify(input) });
  } else {
    const route = routes.get(path);
    if (!route) return null;
    const fields = input !== null && typeof input === "object" && !Array.isArray(input) ? { ...input } : {};
    let url = route.path;
    for (const param of route.pathParams) {
      url = url.replace(
        `{${param}}`,
        encodeURIComponent(asText((fields as Record<string, unknown>)[param] ?? "x")),
      );
      delete (fields as Record<string, unknown>)[param];
    }
    if (route.method === "GET" || route.method === "DELETE") {
      const query = new URLSearchParams(
        Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? v : (JSON.stringify(v) ?? "")]),
      );
      response = await fetch(`${s.url}/api/v1${url}?${query}`, { method: route.method, headers });
    } else {
      response = await fetch(`${s.url}/api/v1${url}`, {
        method: route.method,
        headers,
        body: JSON.stringify(input !== null && typeof input === "object" ? fields : input),
      });
    }
  }
  await response.arrayBuffer();
  return response.status;
}

describe("every procedure's input, property-based", () => {
  it("answers hostile input with 2xx or 4xx, never 5xx, and a refused write changes nothing", async () => {
    const failures: string[] = [];
    for (const { path, def } of procedures) {
      await fc.assert(
        fc.asyncProperty(inputArbitrary(def), async (input) => {
          const before = def.type === "mutation" ? await rowCounts() : "";
          for (const transport of ["trpc", "rest"] as const) {
            const status = await call(transport, path, def, input);
            if (status === null) continue;
            if (status >= 500) {
              failures.push(`${transport} ${path}: ${status} for ${JSON.stringify(input)?.slice(0, 200)}`);
            }
            if (def.type === "mutation" && status >= 400 && status < 500 && (await rowCounts()) !== before) {
              failures.push(`${transport} ${path}: a ${status} still wrote rows`);
            }
          }
        }),
        { numRuns: 6, seed: 20261204 },
      );
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
