import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createContext } from "@tenantry/api/context";
import { createRestHandler, type RestRequest } from "@tenantry/api/rest/handler";
import { generateOpenApiDocument } from "@tenantry/api/rest/openapi";
import { REFERENCE_STYLESHEET, renderReferencePage } from "@tenantry/api/rest/reference-page";
import { appRouter, createCaller } from "@tenantry/api/root";
import type { Keyring } from "@tenantry/api/secrets/keyring";
import type { Database } from "@tenantry/db/database";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Logger } from "pino";
import { readJsonBody } from "./body";
import { landingPage } from "./landing-page";

export interface ServerState {
  db: Database | null;
  keyring: Keyring;
}

export interface HttpServerOptions {
  state: ServerState;
  logger: Logger;
  publicUrl: string;
  bodyLimitBytes: number;
  version: string;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

const API_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
};
const PAGE_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'",
};

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    ...API_HEADERS,
    ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
    ...headers,
  });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, contentType: string, text: string) {
  res.writeHead(status, { ...PAGE_HEADERS, "content-type": `${contentType}; charset=utf-8` });
  res.end(text);
}

/** The whole HTTP surface: tRPC at /trpc, REST at /api/v1, health, reference and landing pages. */
export function createHttpServer(options: HttpServerOptions): Server {
  const { state, logger } = options;
  const requestIds = new WeakMap<IncomingMessage, string>();

  const openApiDocument = generateOpenApiDocument(appRouter, {
    serverUrl: `${options.publicUrl}/api/v1`,
    version: options.version,
  });
  const referencePage = renderReferencePage(openApiDocument, "/api/v1/reference.css");

  const handleRest = createRestHandler({
    router: appRouter,
    createCaller,
    createContext: (request: RestRequest) =>
      createContext({
        db: state.db!,
        keyring: state.keyring,
        requestId: request.header("x-request-id"),
        header: request.header,
      }),
    onError: (error) => logger.error({ err: error }, "REST request failed"),
  });

  const handleTrpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: options.bodyLimitBytes,
    createContext: ({ req }) =>
      createContext({
        db: state.db!,
        keyring: state.keyring,
        requestId: requestIds.get(req),
        header: (name) => req.headers[name],
      }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR")
        logger.error({ err: error.cause ?? error, path }, "tRPC call failed");
    },
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const method = req.method ?? "GET";

    if (path === "/healthz") {
      return state.db ? send(res, 200, { status: "ok" }) : send(res, 503, { status: "starting" });
    }
    if (!state.db) {
      return send(res, 503, {
        code: "unavailable",
        message: "Tenantry is starting; try again shortly",
        requestId,
      });
    }
    if (path.startsWith("/trpc/")) return handleTrpc(req, res);
    if (path === "/api/v1/openapi.json") return send(res, 200, openApiDocument);
    if (path === "/api/v1" || path === "/api/v1/" || path === "/api/v1/reference") {
      return sendText(res, 200, "text/html", referencePage);
    }
    if (path === "/api/v1/reference.css") return sendText(res, 200, "text/css", REFERENCE_STYLESHEET);
    if (path.startsWith("/api/v1/")) {
      const body = await readJsonBody(req, options.bodyLimitBytes);
      if (!body.ok) return send(res, body.status, { ...body.error, requestId });
      const answer = await handleRest({
        method,
        path: path.slice("/api/v1".length),
        query: url.searchParams,
        header: (name) => {
          if (name === "x-request-id") return requestId;
          const value = req.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        body: body.value,
      });
      return send(res, answer.status, answer.body, answer.headers);
    }
    if (path === "/" && (method === "GET" || method === "HEAD")) {
      return sendText(res, 200, "text/html", landingPage(options.version));
    }
    return send(res, 404, { code: "not_found", message: `Nothing at ${path}`, requestId });
  }

  return createServer((req, res) => {
    const given = req.headers["x-request-id"];
    const requestId =
      typeof given === "string" && REQUEST_ID_PATTERN.test(given) ? given : globalThis.crypto.randomUUID();
    requestIds.set(req, requestId);
    res.setHeader("x-request-id", requestId);
    const started = performance.now();
    res.on("finish", () => {
      logger.info(
        {
          requestId,
          method: req.method,
          path: (req.url ?? "").split("?")[0],
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        "request",
      );
    });
    handle(req, res, requestId).catch((error: unknown) => {
      logger.error({ err: error, requestId }, "request failed");
      if (!res.headersSent)
        send(res, 500, { code: "internal_error", message: "Internal server error", requestId });
      else res.destroy();
    });
  });
}
