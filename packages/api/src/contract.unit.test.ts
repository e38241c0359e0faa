import { type TenantryContract, type TenantryRouter, tenantryContract } from "@tenantry/contracts/router";
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type AppRouter, appRouter } from "./root";

type ProcedureKinds<T> = {
  [K in keyof T]: T[K] extends { type: infer P } ? P : ProcedureKinds<T[K]>;
};
type RouterKinds<R> = {
  [K in keyof R]: R[K] extends { _def: { type: infer P } } ? P : RouterKinds<R[K]>;
};

/** The contract is what hosts compile against; the router must be exactly it. */
describe("the router implements the published contract", () => {
  it("has the contract's types, procedure for procedure", () => {
    expectTypeOf<inferRouterInputs<AppRouter>>().toEqualTypeOf<inferRouterInputs<TenantryRouter>>();
    expectTypeOf<inferRouterOutputs<AppRouter>>().toEqualTypeOf<inferRouterOutputs<TenantryRouter>>();
    expectTypeOf<inferRouterError<AppRouter>>().toEqualTypeOf<inferRouterError<TenantryRouter>>();
    expectTypeOf<RouterKinds<AppRouter["_def"]["record"]>>().toEqualTypeOf<
      ProcedureKinds<TenantryContract>
    >();
  });

  it("parses with the contract's very schemas", () => {
    const procedures = Object.entries(appRouter._def.procedures as Record<string, unknown>) as [
      string,
      { _def: { type: string; inputs: unknown[]; output?: unknown } },
    ][];
    const contractPaths: string[] = [];
    for (const [namespace, entries] of Object.entries(tenantryContract)) {
      for (const name of Object.keys(entries)) contractPaths.push(`${namespace}.${name}`);
    }
    expect(procedures.map(([path]) => path).sort()).toEqual(contractPaths.sort());
    for (const [path, procedure] of procedures) {
      const [namespace, name] = path.split(".") as [keyof TenantryContract, string];
      const entry = (
        tenantryContract[namespace] as Record<string, { type: string; input?: unknown; output: unknown }>
      )[name]!;
      expect({ path, type: procedure._def.type }).toEqual({ path, type: entry.type });
      expect(procedure._def.inputs[0], `${path} input`).toBe(entry.input);
      expect(procedure._def.output, `${path} output`).toBe(entry.output);
    }
  });
});
