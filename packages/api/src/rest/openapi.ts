import type { AnyRouter } from "@trpc/server";
import { ERROR_CODES, type ErrorStatus, statusesOf } from "../shared/error-codes";
import type { AppErrorCode } from "../shared/errors";
import { type CompiledRoute, compileRoutes } from "./routes";

type Schema = Record<string, unknown>;

/** What each error status means on any operation; the error code table says which code means what. */
const ERROR_RESPONSES: Partial<Record<ErrorStatus, string>> = {
  400: "Bad input: malformed JSON, a missing value, a wrong type, an unknown field or value (`issues` names each)",
  401: "No, or a bad, API key or access token",
  403: "Not allowed for this caller (e.g. an access token without the permission, or from an origin not allowed)",
  404: "Not found, or not the access token's tenant",
  409: "Conflict: taken slug or key, stale version, reused idempotency key or a broken invariant",
  413: "Body larger than the limit",
  415: "A body without `Content-Type: application/json`",
  429: "A limit was reached",
  500: "Tenantry failed; the log has the request id",
  502: "The connection's provider answered with an error",
  503: "Tenantry is starting (its database is not ready yet), or the connection's provider could not be reached",
};

/**
 * What any operation may answer: bad input, credentials, permission (a token's tenant may be
 * inactive too), an unexpected failure, and the server still starting (every route, before its
 * database is ready).
 */
const EVERY_OPERATION: readonly AppErrorCode[] = [
  "invalid_input",
  "unauthorized",
  "forbidden",
  "internal_error",
  "unavailable",
];

/** Codes a few procedures answer beyond what their method and input imply. */
const EXTRA_ERROR_CODES: Record<string, readonly AppErrorCode[]> = {
  "usage.record": ["usage_limit_exceeded"],
  // Named by a token in the body rather than an id: an unknown token is not_found.
  "members.acceptInvitation": ["not_found"],
  // Refreshing first: a refused refresh token is needs_reauth, a provider down or refusing 502/503.
  "connections.credentials": ["conflict", "needs_reauth", "provider_error", "provider_unavailable"],
};

/**
 * The error codes an operation can answer: EVERY_OPERATION's; `not_found` where it names a
 * resource; `conflict` on changes; the body's own where it takes one; and EXTRA_ERROR_CODES.
 */
export function errorCodesOf(route: CompiledRoute, hasBody: boolean): AppErrorCode[] {
  const codes = new Set<AppErrorCode>(EVERY_OPERATION);
  // A resource named by the path, or by an id of another resource (`roleId`, with its id pattern).
  const references = Object.entries(route.inputSchema?.properties ?? {}).some(
    ([name, schema]) => name.endsWith("Id") && typeof schema.pattern === "string",
  );
  if (route.pathParams.length > 0 || references) codes.add("not_found");
  if (route.method !== "GET") codes.add("conflict");
  if (hasBody) {
    codes.add("invalid_json");
    codes.add("payload_too_large");
    codes.add("unsupported_media_type");
  }
  for (const code of EXTRA_ERROR_CODES[route.procedurePath] ?? []) codes.add(code);
  return [...codes];
}

/** The error statuses an operation can answer: those its error codes map to in ERROR_CODES. */
export function errorStatusesOf(route: CompiledRoute, hasBody: boolean): ErrorStatus[] {
  const statuses = new Set(errorCodesOf(route, hasBody).flatMap((code) => statusesOf(code)));
  return [...statuses].sort((a, b) => a - b);
}

const HEADER_FIELDS: Record<string, { header: string; description: string }> = {
  idempotencyKey: {
    header: "Idempotency-Key",
    description: "Same key and body → the same answer; same key, other body → 409.",
  },
  expectedVersion: {
    header: "If-Match",
    description: 'Optimistic concurrency: the version you read (ETag), e.g. `"3"`. Stale → 409.',
  },
};

function operation(route: CompiledRoute): Schema {
  const input = route.inputSchema ?? { type: "object", properties: {} };
  const properties = (input.properties ?? {}) as Record<string, Schema>;
  const required = new Set(input.required ?? []);
  const parameters: Schema[] = [];

  for (const name of route.pathParams) {
    parameters.push({ name, in: "path", required: true, schema: properties[name] ?? { type: "string" } });
  }
  for (const [name, { header, description }] of Object.entries(HEADER_FIELDS)) {
    if (name in properties)
      parameters.push({
        name: header,
        in: "header",
        required: false,
        description,
        schema: { type: "string" },
      });
  }
  const bodyProperties: Record<string, Schema> = {};
  for (const [name, schema] of Object.entries(properties)) {
    if (route.pathParams.includes(name)) continue;
    if (route.method === "GET") {
      const { description, ...rest } = schema;
      parameters.push({
        name,
        in: "query",
        required: required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    } else {
      bodyProperties[name] = schema;
    }
  }

  const hasBody = route.method !== "GET" && Object.keys(bodyProperties).length > 0;
  const op: Schema = {
    operationId: route.procedurePath,
    summary: route.summary,
    tags: route.tags,
    description: `Callers: ${callersText(route)}. tRPC: \`${route.procedurePath}\`.`,
    parameters,
    responses: {
      [String(route.status ?? 200)]:
        route.status === 204 || !route.outputSchema
          ? { description: "Done" }
          : { description: "OK", content: { "application/json": { schema: route.outputSchema } } },
      ...Object.fromEntries(
        errorStatusesOf(route, hasBody).map((status) => [
          String(status),
          {
            description: `${ERROR_RESPONSES[status] ?? "Error"}. Codes: ${errorCodesOf(route, hasBody)
              .filter((code) => statusesOf(code).includes(status))
              .map((code) => `\`${code}\``)
              .join(", ")}`,
            content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
          },
        ]),
      ),
    },
  };
  if (hasBody) {
    const bodyRequired = [...required].filter((name) => name in bodyProperties);
    op.requestBody = {
      required: bodyRequired.length > 0,
      content: {
        "application/json": {
          schema: {
            type: "object",
            properties: bodyProperties,
            ...(bodyRequired.length ? { required: bodyRequired } : {}),
            additionalProperties: false,
          },
        },
      },
    };
  }
  return op;
}

/** The OpenAPI 3.1 document of every REST route, built from the router itself. */
export function generateOpenApiDocument(
  appRouter: AnyRouter,
  options: { serverUrl: string; version: string },
): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of compileRoutes(appRouter)) {
    const methods = paths[route.path] ?? {};
    methods[route.method.toLowerCase()] = operation(route);
    paths[route.path] = methods;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Tenantry API",
      version: options.version,
      description:
        "Tenants, members, connections and tenant settings for SaaS products. The same procedures are served as tRPC at `/trpc`.",
    },
    servers: [{ url: options.serverUrl }],
    security: [{ bearer: [] }, { apiKeyHeader: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "An API key (`tnt_sk_…`) or an access token (JWT).",
        },
        apiKeyHeader: { type: "apiKey", in: "header", name: "x-api-key" },
      },
      schemas: {
        Error: {
          type: "object",
          description: `Every error. Branch on \`code\`, never on \`message\`. A few codes add the members named in backticks below.\n\n${errorCodeTable()}`,
          required: ["code", "message"],
          properties: {
            code: {
              type: "string",
              enum: Object.keys(ERROR_CODES),
              description: "Stable machine-readable code, e.g. `slug_taken` (see the table above).",
            },
            message: {
              type: "string",
              description: "For a person: for bad input, the first problem by its path (`name is required`).",
            },
            issues: {
              type: "array",
              description: "Every input problem, once.",
              items: {
                type: "object",
                required: ["path", "message"],
                properties: {
                  path: {
                    type: "string",
                    description: "e.g. `owner.email` or, in JSON documents, `/settings/limit`",
                  },
                  message: {
                    type: "string",
                    description: "Read after the path: `must be a valid email address`",
                  },
                },
              },
            },
            requestId: { type: "string", description: "The `x-request-id` of the request, for the log." },
          },
          additionalProperties: true,
        },
      },
    },
  };
}

/** Who may call a route, as the reference shows it: "API key, access token with `members:read`". */
function callersText(route: CompiledRoute): string {
  return route.callers
    .map((caller) => {
      if (caller === "apiKey") return "API key";
      return route.permission ? `access token with \`${route.permission}\`` : "access token";
    })
    .join(", ");
}

/** The error code table as Markdown, for the `Error` schema's description. */
function errorCodeTable(): string {
  const rows = (Object.keys(ERROR_CODES) as AppErrorCode[]).map(
    (code) => `| \`${code}\` | ${statusesOf(code).join(", ")} | ${ERROR_CODES[code].meaning} |`,
  );
  return ["| code | status | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}
