import { initTRPC } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { assertEveryProcedureDeclaresAccess, procedureCatalog, proceduresOf } from "./procedures";
import { appRouter } from "./root";
import { WORKSPACE } from "./trpc";

const t = initTRPC.meta<{ access?: typeof WORKSPACE }>().create();

describe("walking a router through tRPC's public shape", () => {
  it("finds nested procedures with their meta", () => {
    const nested = t.router({
      a: t.router({ b: t.procedure.meta({ access: WORKSPACE }).query(() => 1) }),
      c: t.procedure.query(() => 2),
    });
    expect([...proceduresOf(nested)]).toEqual([
      ["a.b", { access: WORKSPACE }],
      ["c", undefined],
    ]);
  });

  it("refuses a router with a procedure that declares no access", () => {
    const undeclared = t.router({
      ok: t.procedure.meta({ access: WORKSPACE }).query(() => 1),
      open: t.router({ door: t.procedure.query(() => 2) }),
    });
    expect(() => assertEveryProcedureDeclaresAccess(undeclared)).toThrow(
      "procedures without an access declaration: open.door",
    );
    expect(() => assertEveryProcedureDeclaresAccess(appRouter)).not.toThrow();
  });

  it("catalogs every procedure with its contract's kind and schemas", () => {
    const catalog = procedureCatalog(appRouter);
    expect(catalog.length).toBe(proceduresOf(appRouter).size);
    const create = catalog.find((entry) => entry.path === "tenants.create");
    expect(create?.type).toBe("mutation");
    expect(create?.input?.safeParse({}).success).toBe(false);
    expect(create?.meta.access).toBeDefined();
  });
});
