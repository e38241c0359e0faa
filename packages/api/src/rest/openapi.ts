import type { AnyRouter } from "@trpc/server";
import { type CompiledRoute, compileRoutes } from "./routes";

type Schema = Record<string, unknown>;

const ERROR_RESPONSES: Record<string, string> = {
  "400": "Bad input: malformed JSON, a wrong type, an unknown field or value",
  "401": "No, or a bad, API key or access token",
  "403": "Not allowed for this caller",
  "404": "Not found",
  "409": "Conflict: taken slug, stale version, reused idempotency key or a broken invariant",
  "413": "Body larger than the limit",
};

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
        Object.entries(ERROR_RESPONSES).map(([status, description]) => [
          status,
          {
            description,
            content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
          },
        ]),
      ),
    },
  };
  if (route.method !== "GET" && Object.keys(bodyProperties).length > 0) {
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
          required: ["code", "message"],
          properties: {
            code: { type: "string", description: "Stable machine-readable code, e.g. `slug_taken`." },
            message: { type: "string" },
            issues: {
              type: "array",
              items: {
                type: "object",
                properties: { path: { type: "string" }, message: { type: "string" } },
              },
            },
            details: { type: "object" },
            requestId: { type: "string" },
          },
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
