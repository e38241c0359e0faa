import type { AnyRouter } from "@trpc/server";
import { z } from "zod";
import { type ContractTree, contractAt, proceduresOf } from "../procedures";
import { type Caller, callersOf, type RestRoute } from "../trpc";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  [key: string]: unknown;
};

/** A procedure as REST: where it lives, which input fields come from path, query, body or headers. */
export interface CompiledRoute extends RestRoute {
  procedurePath: string;
  segments: string[];
  pathParams: string[];
  callers: Caller[];
  /** The permission an access token needs (null: any token; undefined: API key only). */
  permission?: string | null;
  inputSchema: JsonSchema | null;
  outputSchema: JsonSchema | null;
  /** Input field → JSON type, to turn query strings into numbers and booleans. */
  fieldTypes: Map<string, string>;
}

export function toJsonSchema(schema: unknown, io: "input" | "output"): JsonSchema | null {
  if (!(schema instanceof z.ZodType)) return null;
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

function primaryType(schema: JsonSchema | undefined): string | undefined {
  if (!schema) return undefined;
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== "null");
  return schema.anyOf?.map(primaryType).find((t) => t && t !== "null");
}

/**
 * Reads the REST routes off the router's procedure metadata, with each procedure's input and output
 * schemas from the contract it implements (the very objects its `.input()`/`.output()` were given;
 * contract.unit.test.ts holds them equal). Done once at start.
 */
export function compileRoutes(appRouter: AnyRouter, contract?: ContractTree): CompiledRoute[] {
  const routes: CompiledRoute[] = [];
  for (const [procedurePath, meta] of proceduresOf(appRouter)) {
    if (!meta?.rest) continue;
    const node = contractAt(procedurePath, contract);
    if (!node) throw new Error(`the REST route ${procedurePath} has no contract`);
    const inputSchema = toJsonSchema(node.input, "input");
    const outputSchema = toJsonSchema(node.output, "output");
    const segments = meta.rest.path.split("/").filter(Boolean);
    const fieldTypes = new Map<string, string>();
    for (const [name, property] of Object.entries(inputSchema?.properties ?? {})) {
      const type = primaryType(property);
      if (type) fieldTypes.set(name, type);
    }
    routes.push({
      ...meta.rest,
      procedurePath,
      segments,
      pathParams: segments.filter((s) => s.startsWith("{")).map((s) => s.slice(1, -1)),
      callers: callersOf(meta.access),
      ...("tenant" in meta.access ? { permission: meta.access.permission } : {}),
      inputSchema,
      outputSchema,
      fieldTypes,
    });
  }
  return routes;
}

/** Matches a path against a route; literal segments beat parameters so `/tenants/x/suspend` is exact. */
export function matchRoute(route: CompiledRoute, parts: string[]): Record<string, string> | null {
  if (route.segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i]!;
    const part = parts[i]!;
    if (segment.startsWith("{")) {
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return null;
      }
      params[segment.slice(1, -1)] = value;
    } else if (segment !== part) {
      return null;
    }
  }
  return params;
}
