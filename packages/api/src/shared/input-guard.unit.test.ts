import { initTRPC, TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeError } from "./errors";
import { guardInput, inputGuardError, inputGuardMiddleware, MAX_INPUT_DEPTH } from "./input-guard";

/** `{ a: { a: … "leaf" } }` with `levels` objects, built without recursion. */
function nested(levels: number, leaf: unknown = "leaf"): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe("guardInput", () => {
  it("accepts ordinary JSON, emoji (valid surrogate pairs) and non-Latin text", () => {
    expect(
      guardInput({ name: "Acme 🚀", tags: ["ö", "日本", "👩‍👩‍👧"], n: 1, ok: true, none: null }),
    ).toBeNull();
    expect(guardInput({ "🔑": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢" })).toBeNull();
    expect(guardInput(undefined)).toBeNull();
    expect(guardInput("plain")).toBeNull();
  });

  it("refuses NUL in a value anywhere, naming its path", () => {
    expect(guardInput({ fields: { region: "e\u0000u" } })).toEqual({
      path: "fields.region",
      message: "must not contain the NUL character (U+0000)",
    });
    expect(guardInput({ list: ["ok", { deeper: ["\u0000"] }] })?.path).toBe("list.1.deeper.0");
    expect(guardInput("\u0000")).toEqual({
      path: "",
      message: "must not contain the NUL character (U+0000)",
    });
  });

  it("refuses NUL in an object key, showing the key escaped", () => {
    expect(guardInput({ metadata: { "a\u0000b": 1 } })).toEqual({
      path: "metadata.a\\u0000b",
      message: "this key must not contain the NUL character (U+0000)",
    });
  });

  it("refuses lone surrogates in values and keys, with where they are", () => {
    expect(guardInput({ fields: { region: "ab\ud800" } })).toEqual({
      path: "fields.region",
      message: "must be valid Unicode (an unpaired surrogate at index 2)",
    });
    expect(guardInput({ x: "\udc00🚀" })?.message).toBe(
      "must be valid Unicode (an unpaired surrogate at index 0)",
    );
    // A high surrogate followed by another high surrogate is not a pair.
    expect(guardInput({ x: "🚀\ud83d\ud83d\ude80" })?.message).toBe(
      "must be valid Unicode (an unpaired surrogate at index 2)",
    );
    expect(guardInput({ m: { "k\udfff": true } })).toEqual({
      path: "m.k\\udfff",
      message: "this key must be valid Unicode (an unpaired surrogate at index 1)",
    });
  });

  it(`allows ${MAX_INPUT_DEPTH} levels and refuses one more`, () => {
    expect(guardInput(nested(MAX_INPUT_DEPTH))).toBeNull();
    const problem = guardInput(nested(MAX_INPUT_DEPTH + 1));
    expect(problem?.message).toBe(`nests deeper than ${MAX_INPUT_DEPTH} levels`);
    expect(problem?.path.split(".")).toHaveLength(MAX_INPUT_DEPTH);
    let array: unknown = [];
    for (let i = 0; i < MAX_INPUT_DEPTH + 1; i++) array = [array];
    expect(guardInput(array)?.message).toBe(`nests deeper than ${MAX_INPUT_DEPTH} levels`);
  });

  it("refuses 100,000 levels without running out of stack", () => {
    let array: unknown = [];
    for (let i = 0; i < 100_000; i++) array = [array];
    expect(() => guardInput(nested(100_000))).not.toThrow();
    expect(guardInput(nested(100_000))?.message).toBe(`nests deeper than ${MAX_INPUT_DEPTH} levels`);
    expect(guardInput(array)?.message).toBe(`nests deeper than ${MAX_INPUT_DEPTH} levels`);
    // The same as JSON text, parsed the way the servers parse bodies.
    const text = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    expect(guardInput(JSON.parse(text))?.message).toBe(`nests deeper than ${MAX_INPUT_DEPTH} levels`);
  });

  it("checks wide input in linear time and shared or cyclic objects once", () => {
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, `v${i}`]));
    expect(guardInput({ wide, list: Array.from({ length: 50_000 }, (_, i) => i) })).toBeNull();
    const shared: Record<string, unknown> = { s: "x" };
    let dag: Record<string, unknown> = shared;
    for (let i = 0; i < 60; i++) dag = { left: dag, right: dag }; // 2^60 paths, 61 objects
    expect(guardInput(dag)).toBeNull();
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    expect(guardInput(cyclic)).toBeNull();
  });

  it("leaves values that are not JSON (dates, maps) to the schema", () => {
    expect(guardInput({ at: new Date(), m: new Map([["\u0000", "\u0000"]]) })).toBeNull();
  });

  it("answers 400 invalid_input with the issue, like a schema failure", () => {
    const { status, body } = describeError(
      inputGuardError({ path: ["fields", "region"], message: "must not contain the NUL character (U+0000)" }),
    );
    expect(status).toBe(400);
    expect(body).toEqual({
      code: "invalid_input",
      message: "fields.region must not contain the NUL character (U+0000)",
      issues: [{ path: "fields.region", message: "must not contain the NUL character (U+0000)" }],
    });
  });
});

describe("inputGuardMiddleware in a procedure builder", () => {
  const t = initTRPC.create();
  const seen: unknown[] = [];
  const procedure = t.procedure.use(inputGuardMiddleware);
  const appRouter = t.router({
    echo: procedure.input(z.object({ name: z.string() }).passthrough()).mutation(({ input }) => {
      seen.push(input);
      return input;
    }),
    failing: procedure.input(z.object({ id: z.string() })).mutation(() => {
      // What drizzle throws when an insert names a parent that does not exist.
      const cause = Object.assign(new Error("insert or update violates foreign key constraint"), {
        code: "23503",
        severity: "ERROR",
        constraint: "groups_workspace_id_tenant_id_tenants_workspace_id_id_fk",
        detail: 'Key (workspace_id, tenant_id)=(ws_1, tenant_x) is not present in table "tenants".',
      });
      throw Object.assign(new Error("Failed query: insert into groups\nparams: ws_1,tenant_x"), {
        query: "insert into groups",
        params: ["ws_1", "tenant_x"],
        cause,
      });
    }),
  });
  const caller = t.createCallerFactory(appRouter)({});

  it("lets good input through to the resolver unchanged", async () => {
    await expect(caller.echo({ name: "Zoë 🚀" })).resolves.toEqual({ name: "Zoë 🚀" });
  });

  it("refuses bad raw input before the resolver runs, also keys the schema would strip", async () => {
    seen.length = 0;
    const error = await caller.echo({ name: "a\u0000b" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect(describeError(error as TRPCError).body.issues).toEqual([
      { path: "name", message: "must not contain the NUL character (U+0000)" },
    ]);
    const key = await caller.echo({ name: "ok", "x\ud800": 1 } as { name: string }).catch((e: unknown) => e);
    expect(describeError(key as TRPCError).status).toBe(400);
    expect(seen).toEqual([]);
  });

  it("turns a foreign key violation into 404 not_found naming the parent", async () => {
    const error = await caller.failing({ id: "x" }).catch((e: unknown) => e);
    expect(describeError(error as TRPCError)).toEqual({
      status: 404,
      body: { code: "not_found", message: "Tenant not found" },
    });
  });
});
