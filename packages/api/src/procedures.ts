import type { ProcedureContract } from "@tenantry/contracts/procedures";
import { tenantryContract } from "@tenantry/contracts/router";
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import type { Meta } from "./trpc";

/**
 * The one place that walks a built router. tRPC 11 has no public listing of a router's procedures,
 * but its public shape is enough: a router is its record of procedures and nested routers
 * (`appRouter.tenants.list`), and a procedure carries its `meta`. A procedure's kind and schemas
 * come from the contract it implements (contract.unit.test.ts holds them equal), so nothing here
 * reads tRPC's internal `_def` except `builtDefinitionOf`, for that one test.
 *
 * Two hot paths go below tRPC's public surface, on purpose and on the pinned 11.19.0: REST calls a
 * procedure as a function (`rest/handler.ts`, found here by `procedureAt`), and the server's lean
 * tRPC query path (`apps/server/src/trpc-queries.ts`) reads the router's config and procedure table.
 * Each is checked answer for answer against the public way (`trpc-queries.test.ts`, the REST suites).
 */
export function proceduresOf(appRouter: AnyRouter): Map<string, Meta | undefined> {
  const found = new Map<string, Meta | undefined>();
  const walk = (node: object, prefix: string) => {
    for (const [name, value] of Object.entries(node)) {
      // A router's own members next to its record.
      if (name === "_def" || name === "createCaller") continue;
      const path = prefix ? `${prefix}.${name}` : name;
      if (typeof value === "function" && "meta" in value) {
        found.set(path, (value as AnyProcedure).meta as Meta | undefined);
      } else if (typeof value === "object" && value !== null) {
        walk(value, path);
      }
    }
  };
  walk(appRouter, "");
  return found;
}

/** The procedure at a dotted path, found through the router's public shape; undefined when none. */
export function procedureAt(appRouter: AnyRouter, procedurePath: string): AnyProcedure | undefined {
  let node: unknown = appRouter;
  for (const name of procedurePath.split(".")) {
    if (name === "_def" || name === "createCaller" || typeof node !== "object" || node === null)
      return undefined;
    node = Object.hasOwn(node, name) ? (node as Record<string, unknown>)[name] : undefined;
  }
  return typeof node === "function" && "meta" in node ? (node as AnyProcedure) : undefined;
}

/** Fails start-up when any procedure lacks an access declaration. */
export function assertEveryProcedureDeclaresAccess(appRouter: AnyRouter): void {
  const missing = [...proceduresOf(appRouter)].filter(([, meta]) => !meta?.access).map(([path]) => path);
  if (missing.length > 0) throw new Error(`procedures without an access declaration: ${missing.join(", ")}`);
}

/** The contract's tree: namespaces of procedure contracts, as `tenantryContract` is. */
export interface ContractTree {
  [name: string]: ProcedureContract | ContractTree;
}

function isContract(node: ProcedureContract | ContractTree | undefined): node is ProcedureContract {
  return node !== undefined && "output" in node && "type" in node && typeof node.type === "string";
}

/** The contract entry a procedure path names, or undefined when the contract has none. */
export function contractAt(
  procedurePath: string,
  contract: ContractTree = tenantryContract as unknown as ContractTree,
): ProcedureContract | undefined {
  let node: ProcedureContract | ContractTree | undefined = contract;
  for (const name of procedurePath.split(".")) node = isContract(node) ? undefined : node?.[name];
  return isContract(node) ? node : undefined;
}

/** A procedure as the generated tests see it: its declarations and its contract's schemas. */
export interface ProcedureEntry extends ProcedureContract {
  path: string;
  meta: Meta;
}

/** Every procedure of the router with its access declaration, kind and contract schemas. */
export function procedureCatalog(appRouter: AnyRouter): ProcedureEntry[] {
  return [...proceduresOf(appRouter)].map(([path, meta]) => {
    const contract = contractAt(path);
    if (!contract) throw new Error(`the procedure ${path} has no contract`);
    if (!meta?.access) throw new Error(`the procedure ${path} declares no access`);
    return { path, meta, ...contract };
  });
}

/**
 * What tRPC itself built for a procedure (its kind and the schemas its `.input()`/`.output()` were
 * given). Internal to tRPC (`_def`), so read only by the test that proves the router is the
 * contract; everything else takes these from the contract.
 */
export function builtDefinitionOf(procedure: unknown): { type: string; input: unknown; output: unknown } {
  const def = (procedure as { _def: { type: string; inputs: unknown[]; output?: unknown } })._def;
  return { type: def.type, input: def.inputs[0], output: def.output };
}
