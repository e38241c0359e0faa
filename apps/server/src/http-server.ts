import { lookup } from "node:dns/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { appRouter, createContext } from "@tenantry/api";
import {
  createRestHandler,
  describeError,
  diagnoseOrigin,
  errorForLog,
  generateOpenApiDocument,
  isOriginAllowedAnywhere,
  REFERENCE_STYLESHEET,
  type RestRequest,
  renderReferencePage,
} from "@tenantry/api/http";
import type { TrustedProxies } from "@tenantry/api/operators";
import {
  CALLBACK_PATH,
  type Clock,
  completeAuthorization,
  createJwksKeys,
  type Keyring,
  START_PATH,
  systemClock,
} from "@tenantry/api/server-runtime";
import type { Database } from "@tenantry/db/database";
import type { TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { Logger } from "pino";
import { readJsonBody } from "./body";
import { createConsoleRoutes } from "./console-routes";
import { landingPage } from "./landing-page";
import { CALLBACK_PAGE_CSP, CALLBACK_SCRIPT, CALLBACK_STYLES, renderCallbackPage } from "./oauth-callback";
import { bindingCookieOf, handleOAuthStart } from "./oauth-start";
import { CORS_DIAGNOSIS_PATH, handleCorsDiagnosis, kidOfBearer, logOriginRefused } from "./origin-diagnosis";
import { createTrpcQueryHandler } from "./trpc-queries";

export interface ServerState {
  db: Database | null;
  keyring: Keyring;
  /** Set on SIGTERM: /healthz answers 503 so load balancers stop sending before the listener closes. */
  draining?: boolean;
}

export interface HttpServerOptions {
  state: ServerState;
  logger: Logger;
  publicUrl: string;
  bodyLimitBytes: number;
  version: string;
  /** The console's build directory; `apps/console/dist` unless given. */
  consoleDistDir?: string;
  /** `TENANTRY_TRUSTED_PROXIES`: only their `X-Forwarded-For` names the client; none unless given. */
  trustedProxies?: TrustedProxies;
  /** `TENANTRY_JWKS_ALLOW_HOSTS`: issuers' JWKS hosts that may use http or private addresses. */
  jwksAllowHosts?: ReadonlySet<string>;
  /** `TENANTRY_WEBHOOK_ALLOW_HOSTS`: webhook hosts that may use http or private addresses. */
  webhookAllowHosts?: ReadonlySet<string>;
  /** What services read the time from; the system clock unless a test gives its own. */
  clock?: Clock;
}

/** Every address a host name resolves to: one private address among them is enough to refuse it. */
export async function resolveHostAddresses(hostname: string): Promise<string[]> {
  return (await lookup(hostname, { all: true })).map((entry) => entry.address);
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

/** What a widget in another origin may send and read (CORS). API keys never come from browsers. */
const CORS_ALLOW_HEADERS =
  "authorization, content-type, idempotency-key, if-match, x-request-id, trpc-accept";
const CORS_EXPOSE_HEADERS = "etag, x-request-id, retry-after";
const CORS_ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE";

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

  // Built on first use: the public URL may be known only once the server listens (port 0 in tests).
  let openApi: { document: ReturnType<typeof generateOpenApiDocument>; page: string } | undefined;
  const openApiDocument = () => {
    if (!openApi) {
      const document = generateOpenApiDocument(appRouter, {
        serverUrl: `${options.publicUrl}/api/v1`,
        version: options.version,
      });
      openApi = { document, page: renderReferencePage(document, "/api/v1/reference.css") };
    }
    return openApi;
  };

  // Tenantry's own origin, parsed again only when the public URL changes (tests set it once listening).
  let ownOrigin = { of: "", origin: "" };
  const publicOrigin = (): string => {
    if (ownOrigin.of !== options.publicUrl) {
      ownOrigin = { of: options.publicUrl, origin: new URL(options.publicUrl).origin };
    }
    return ownOrigin.origin;
  };

  /** The browser origin of a cross-origin request; same-origin callers (the console) are not widgets. */
  const crossOrigin = (req: IncomingMessage): string | null => {
    const origin = req.headers.origin;
    return typeof origin === "string" && origin !== "null" && origin !== publicOrigin() ? origin : null;
  };

  // One JWKS cache per process; host names are resolved here so private addresses are refused.
  const jwks = createJwksKeys({
    allowHosts: options.jwksAllowHosts ?? new Set(),
    resolve: resolveHostAddresses,
  });

  const webhookUrlPolicy = {
    allowHosts: options.webhookAllowHosts ?? new Set<string>(),
    resolve: resolveHostAddresses,
  };

  const handleRest = createRestHandler({
    router: appRouter,
    createContext: (request: RestRequest) =>
      createContext({
        publicUrl: options.publicUrl,
        db: state.db!,
        keyring: state.keyring,
        requestId: request.header("x-request-id"),
        header: request.header,
        origin: request.header("origin") ?? null, // set only for cross-origin requests
        jwks,
        clock: options.clock,
        webhookUrlPolicy,
      }),
    // Logged without the request's values: a database error as its SQL shape, code and constraint.
    // (Under `error`, not `err`: pino's default `err` serializer would flatten the safe form again.)
    onError: (error, request) =>
      logger.error(
        { error: errorForLog(error), requestId: request.header("x-request-id") },
        "REST request failed",
      ),
  });

  const trpcContext = (req: IncomingMessage) =>
    createContext({
      publicUrl: options.publicUrl,
      db: state.db!,
      keyring: state.keyring,
      requestId: requestIds.get(req),
      header: (name) => req.headers[name],
      origin: crossOrigin(req),
      jwks,
      clock: options.clock,
      webhookUrlPolicy,
    });
  const onTrpcError = ({
    error,
    path,
    req,
  }: {
    error: TRPCError;
    path: string | undefined;
    req: IncomingMessage;
  }) => {
    if (describeError(error).body.code === "origin_not_allowed") void logTokenOriginRefused(req);
    if (error.code === "INTERNAL_SERVER_ERROR")
      logger.error(
        { error: errorForLog(error.cause ?? error), path, requestId: requestIds.get(req) },
        "tRPC call failed",
      );
  };
  // Queries (GET, batched or not) take the lean path; everything else goes through tRPC's adapter.
  const handleTrpcQuery = createTrpcQueryHandler({
    router: appRouter,
    basePath: "/trpc/",
    createContext: trpcContext,
    onError: onTrpcError,
  });
  const handleTrpc = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBodySize: options.bodyLimitBytes,
    createContext: ({ req }) => trpcContext(req),
    onError: onTrpcError,
  });

  /** A token's call from an origin another workspace allows (so CORS let it through), refused. */
  async function logTokenOriginRefused(req: IncomingMessage): Promise<void> {
    const origin = crossOrigin(req);
    const kid = kidOfBearer(req.headers.authorization);
    if (!origin || !state.db) return;
    const diagnosis = kid ? await diagnoseOrigin(state.db, kid, origin) : null;
    const requestId = requestIds.get(req) ?? "";
    logOriginRefused(
      logger,
      { origin, workspaceId: diagnosis?.workspaceId ?? null, kid, requestId },
      "request",
    );
  }

  const handleConsole = createConsoleRoutes({
    db: () => state.db!,
    logger,
    publicUrl: () => options.publicUrl,
    bodyLimitBytes: options.bodyLimitBytes,
    ...(options.consoleDistDir ? { distDir: options.consoleDistDir } : {}),
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const method = req.method ?? "GET";

    if (path === "/healthz") {
      if (state.draining) return send(res, 503, { status: "draining" });
      return state.db ? send(res, 200, { status: "ok" }) : send(res, 503, { status: "starting" });
    }
    if (!state.db) {
      return send(res, 503, {
        code: "unavailable",
        message: "Tenantry is starting; try again shortly",
        requestId,
      });
    }
    if (path === CORS_DIAGNOSIS_PATH) {
      return handleCorsDiagnosis(req, res, url, { db: state.db, logger, requestId });
    }
    const origin = crossOrigin(req);
    if (origin && (path.startsWith("/trpc/") || path.startsWith("/api/v1/"))) {
      // Preflights carry no credentials, so they are answered for an origin any workspace allows;
      // the request that follows is checked against its own token's workspace.
      if (!(await isOriginAllowedAnywhere(state.db, origin))) {
        if (method === "OPTIONS") {
          // Preflights carry no token: the key and workspace are named once the widget asks
          // /cors-diagnosis (or, for an origin another workspace allows, by the refused call).
          logOriginRefused(logger, { origin, workspaceId: null, kid: null, requestId }, "preflight");
          return send(res, 403, {
            code: "origin_not_allowed",
            message: `${origin} is not an allowed origin`,
            requestId,
          });
        }
      } else {
        res.setHeader("access-control-allow-origin", origin);
        res.setHeader("access-control-expose-headers", CORS_EXPOSE_HEADERS);
        if (method === "OPTIONS") {
          return send(res, 204, undefined, {
            "access-control-allow-methods": CORS_ALLOW_METHODS,
            "access-control-allow-headers": CORS_ALLOW_HEADERS,
            "access-control-max-age": "600",
          });
        }
      }
    }
    if (path.startsWith("/trpc/")) {
      if (await handleTrpcQuery(req, res, url)) return;
      return handleTrpc(req, res);
    }
    if (path === "/api/v1/openapi.json") return send(res, 200, openApiDocument().document);
    if (path === "/api/v1" || path === "/api/v1/" || path === "/api/v1/reference") {
      return sendText(res, 200, "text/html", openApiDocument().page);
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
          if (name === "origin") return origin ?? undefined;
          const value = req.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        body: body.value,
      });
      if ((answer.body as { code?: unknown } | undefined)?.code === "origin_not_allowed") {
        void logTokenOriginRefused(req);
      }
      return send(res, answer.status, answer.body, answer.headers);
    }
    if (path === START_PATH && method === "GET") {
      const { db, keyring } = state;
      const clock = options.clock ?? systemClock;
      return handleOAuthStart(req, res, {
        db,
        keyring,
        clock,
        publicUrl: options.publicUrl,
        logger,
        requestId,
      });
    }
    if (path === CALLBACK_PATH && method === "GET") {
      const result = await completeAuthorization(
        {
          db: state.db,
          keyring: state.keyring,
          clock: options.clock ?? systemClock,
          publicUrl: options.publicUrl,
          requestId,
        },
        {
          state: url.searchParams.get("state") ?? undefined,
          code: url.searchParams.get("code") ?? undefined,
          error: url.searchParams.get("error") ?? undefined,
          errorDescription: url.searchParams.get("error_description") ?? undefined,
          binding: bindingCookieOf(req, options.publicUrl),
        },
      );
      if (result.error)
        logger.warn(
          { requestId, code: result.error.code, connectionId: result.connectionId },
          "OAuth callback failed",
        );
      res.writeHead(result.httpStatus, {
        ...PAGE_HEADERS,
        "content-security-policy": CALLBACK_PAGE_CSP,
        "cache-control": "no-store",
        "content-type": "text/html; charset=utf-8",
      });
      return void res.end(renderCallbackPage(result));
    }
    if (path === `${CALLBACK_PATH}.js`) return sendText(res, 200, "text/javascript", CALLBACK_SCRIPT);
    if (path === `${CALLBACK_PATH}.css`) return sendText(res, 200, "text/css", CALLBACK_STYLES);
    if (await handleConsole(req, res, path, requestId)) return;
    // Until the console is built (`pnpm start` builds it), `/` shows where the API is.
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
    res.setHeader("vary", "Origin");
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
      logger.error({ error: errorForLog(error), requestId }, "request failed");
      if (!res.headersSent)
        send(res, 500, { code: "internal_error", message: "Internal server error", requestId });
      else res.destroy();
    });
  });
}
