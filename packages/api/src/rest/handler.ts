import { type AnyRouter, type AnyTRPCProcedure, getTRPCErrorFromUnknown } from "@trpc/server";
import type { Context } from "../context";
import { contractAt, procedureAt } from "../procedures";
import { databaseInputError } from "../shared/db-errors";
import { appError, describeError, type ErrorBody } from "../shared/errors";
import { assertInputIsSafe } from "../shared/input-guard";
import { type CompiledRoute, compileRoutes, matchRoute } from "./routes";

export interface RestRequest {
  method: string;
  /** The path below `/api/v1`, e.g. `/tenants/tenant_…`. */
  path: string;
  query: URLSearchParams;
  header: (name: string) => string | undefined;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
}

export interface RestResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export interface RestHandlerOptions<TRouter extends AnyRouter> {
  router: TRouter;
  createContext: (request: RestRequest) => Context;
  onError?: (error: unknown, request: RestRequest) => void;
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `If-Match: "3"`, `W/"3"` or `3` → 3. */
function parseIfMatch(value: string): number {
  const match = value.trim().match(/^(?:W\/)?"?(\d{1,9})"?$/);
  if (!match)
    throw appError("BAD_REQUEST", "invalid_input", 'If-Match must be a tenant version, e.g. If-Match: "3"');
  return Number(match[1]);
}

function coerceQueryValue(value: string, type: string | undefined): unknown {
  if (type === "integer" || type === "number") {
    const number = Number(value);
    return value.trim() !== "" && Number.isFinite(number) ? number : value;
  }
  if (type === "boolean") return value === "true" ? true : value === "false" ? false : value;
  return value;
}

function buildInput(route: CompiledRoute, request: RestRequest, params: Record<string, string>) {
  const input: Record<string, unknown> = {};
  if (BODY_METHODS.has(route.method) && request.body !== undefined) {
    if (!isPlainObject(request.body)) {
      throw appError("BAD_REQUEST", "invalid_input", "The request body must be a JSON object");
    }
    Object.assign(input, request.body);
  }
  if (route.method === "GET" || route.method === "DELETE") {
    for (const key of new Set(request.query.keys())) {
      const values = request.query.getAll(key);
      if (values.length > 1) {
        throw appError(
          "BAD_REQUEST",
          "invalid_input",
          `The query parameter "${key}" was given more than once`,
        );
      }
      input[key] = coerceQueryValue(values[0]!, route.fieldTypes.get(key));
    }
  }
  for (const [name, value] of Object.entries(params)) {
    if (name in input && input[name] !== value) {
      throw appError("BAD_REQUEST", "invalid_input", `"${name}" in the body does not match the path`);
    }
    input[name] = value;
  }
  const idempotencyKey = request.header("idempotency-key");
  if (idempotencyKey !== undefined && route.fieldTypes.has("idempotencyKey")) {
    input.idempotencyKey = idempotencyKey;
  }
  const ifMatch = request.header("if-match");
  if (ifMatch !== undefined && route.fieldTypes.has("expectedVersion")) {
    input.expectedVersion = parseIfMatch(ifMatch);
  }
  return input;
}

/**
 * Serves the router's REST routes: the same procedures, same validation, same errors as tRPC.
 * Framework-free: the HTTP server hands in a parsed request and writes out the answer.
 */
export function createRestHandler<TRouter extends AnyRouter>(options: RestHandlerOptions<TRouter>) {
  const routes = compileRoutes(options.router);
  // Looked up once: a request only compares its path with the routes of as many segments, and calls
  // its procedure as a server-side caller would (same middlewares, input and output validation).
  const routesByLength = new Map<number, CompiledRoute[]>();
  for (const route of routes) {
    const same = routesByLength.get(route.segments.length) ?? [];
    same.push(route);
    routesByLength.set(route.segments.length, same);
  }
  const procedures = new Map<string, { call: AnyTRPCProcedure; type: "query" | "mutation" }>();
  for (const route of routes) {
    const call = procedureAt(options.router, route.procedurePath);
    const contract = contractAt(route.procedurePath);
    if (!call || !contract) throw new Error(`the REST route ${route.procedurePath} has no procedure`);
    procedures.set(route.procedurePath, { call, type: contract.type });
  }

  function errorResponse(error: unknown, request: RestRequest, requestId: string | undefined): RestResponse {
    // A foreign key to a missing parent and the like are the request's fault: 4xx, not logged.
    const trpcError = databaseInputError(error) ?? getTRPCErrorFromUnknown(error);
    const { status, body } = describeError(trpcError);
    if (status >= 500) options.onError?.(error, request);
    return {
      status,
      headers: {},
      body: { ...body, ...(requestId ? { requestId } : {}) } satisfies ErrorBody,
    };
  }

  return async function handleRest(request: RestRequest): Promise<RestResponse> {
    let requestId: string | undefined;
    try {
      const parts = request.path.split("/").filter(Boolean);
      let route: CompiledRoute | undefined;
      let params: Record<string, string> | null = null;
      const allowed = new Set<string>();
      for (const candidate of routesByLength.get(parts.length) ?? []) {
        const matched = matchRoute(candidate, parts);
        if (!matched) continue;
        allowed.add(candidate.method);
        // Prefer the route with the most literal segments (`/tenants/{id}/suspend` over `/tenants/{id}/{x}`).
        if (
          candidate.method === request.method &&
          (!route || candidate.pathParams.length < route.pathParams.length)
        ) {
          route = candidate;
          params = matched;
        }
      }
      if (!route || !params) {
        if (allowed.size > 0) {
          const allow = [...allowed].sort().join(", ");
          const error = appError(
            "METHOD_NOT_SUPPORTED",
            "method_not_allowed",
            `${request.method} is not allowed here`,
          );
          const response = errorResponse(error, request, undefined);
          return { ...response, headers: { ...response.headers, allow } };
        }
        throw appError("NOT_FOUND", "not_found", `No route for ${request.method} /api/v1${request.path}`);
      }

      const ctx = options.createContext(request);
      requestId = ctx.requestId;
      const input = buildInput(route, request, params);
      // Path parameters, query strings, body and headers together, before any schema or query sees them.
      assertInputIsSafe(input);
      const procedure = procedures.get(route.procedurePath)!;
      const output: unknown = await procedure.call({
        path: route.procedurePath,
        getRawInput: async () => input,
        ctx,
        type: procedure.type,
        signal: undefined,
        batchIndex: 0,
      });

      const headers: Record<string, string> = {};
      if (isPlainObject(output) && typeof output.version === "number") headers.etag = `"${output.version}"`;
      const status = route.status ?? 200;
      return status === 204 ? { status, headers } : { status, headers, body: output };
    } catch (error) {
      return errorResponse(error, request, requestId);
    }
  };
}
