import { type TenantryContract, type TenantryRouter, tenantryContract } from "@tenantry/contracts/router";
import type { inferRouterError, inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { describe, expect, expectTypeOf, it } from "vitest";
import { builtDefinitionOf, proceduresOf } from "./procedures";
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
    const paths = [...proceduresOf(appRouter).keys()];
    const contractPaths: string[] = [];
    for (const [namespace, entries] of Object.entries(tenantryContract)) {
      for (const name of Object.keys(entries)) contractPaths.push(`${namespace}.${name}`);
    }
    expect([...paths].sort()).toEqual(contractPaths.sort());
    for (const path of paths) {
      const [namespace, name] = path.split(".") as [keyof TenantryContract, string];
      const entry = (
        tenantryContract[namespace] as Record<string, { type: string; input?: unknown; output: unknown }>
      )[name]!;
      const procedure = (appRouter as unknown as Record<string, Record<string, unknown>>)[namespace]![name];
      const built = builtDefinitionOf(procedure);
      expect({ path, type: built.type }).toEqual({ path, type: entry.type });
      expect(built.input, `${path} input`).toBe(entry.input);
      expect(built.output, `${path} output`).toBe(entry.output);
    }
  });
});
