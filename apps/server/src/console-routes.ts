import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { brotliCompress, gzip, constants as zlib } from "node:zlib";
import {
  CSRF_HEADER,
  checkOperatorCredentials,
  clientAddress,
  countSignInAttempt,
  countSignInSuccess,
  deleteOperatorSession,
  exchangeTemporaryPassword,
  findOperatorSession,
  hasAnyOperator,
  NO_TRUSTED_PROXIES,
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
  sessionTokenFromCookie,
  setUpFirstOperator,
  startOperatorSession,
  type TrustedProxies,
} from "@tenantry/api/operators";
import { type Clock, systemClock } from "@tenantry/api/server-runtime";
import type { Database } from "@tenantry/db/database";
import type { Logger } from "pino";
import { z } from "zod";
import { readJsonBody } from "./body";
import { hashOperatorPassword, passwordProblem, verifyOperatorPassword } from "./operator-passwords";

/**
 * Where `pnpm --filter @tenantry/console build` writes the console. The same from `src/` and from the
 * built server in `dist/` (one level below apps/server alike; production-build.unit.test.ts checks).
 */
export const CONSOLE_DIST = fileURLToPath(new URL("../../console/dist/", import.meta.url));

export interface ConsoleRoutesOptions {
  db: () => Database;
  logger: Logger;
  publicUrl: () => string;
  bodyLimitBytes: number;
  /** The console's build; the default is the repo's `apps/console/dist`. */
  distDir?: string;
  /** Whose `X-Forwarded-For` names the client (`TENANTRY_TRUSTED_PROXIES`); none unless given. */
  trustedProxies?: TrustedProxies;
  /** What sessions and sign-in throttling read the time from; the system clock unless given. */
  clock?: Clock;
}

const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};
/** The console needs nothing from elsewhere: no inline script or style, no other origin. */
const CONSOLE_PAGE_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-frame-options": "DENY",
};
const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
};

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
/** Text worth compressing; images other than SVG and fonts are compressed already. */
const COMPRESSIBLE = new Set([".js", ".css", ".svg", ".json", ".html"]);

type Encoding = "br" | "gzip" | "identity";

/** The best encoding the client accepts: brotli, then gzip (a `q=0` refuses one). */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const wildcard = accepted.get("*");
  const ok = (name: string) => (accepted.get(name) ?? wildcard ?? 0) > 0;
  if (ok("br")) return "br";
  if (ok("gzip")) return "gzip";
  return "identity";
}

/**
 * A file's bytes in each encoding, compressed once per file version (path, size and mtime) and kept:
 * the console's files are a few hundred KB in all and never change while the server runs.
 */
const encodedFiles = new Map<string, Promise<Record<Encoding, Buffer>>>();
function encodedFile(file: string, version: string, bytes: () => Promise<Buffer>) {
  const key = `${file}\0${version}`;
  let found = encodedFiles.get(key);
  if (!found) {
    found = bytes().then(async (raw) => ({
      identity: raw,
      br: await brotli(raw, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length },
      }),
      gzip: await gzipAsync(raw, { level: 9 }),
    }));
    found.catch(() => encodedFiles.delete(key));
    encodedFiles.set(key, found);
  }
  return found;
}

/** The console's routes (apps/console/src/router.tsx); each answers the console's index. */
const CONSOLE_PAGE = /^\/(?:(?:sign-in|tenants|settings|testing|webhooks|events)(?:\/[\w.~%-]*)*)?\/?$/;

const signInSchema = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
  /** With a reset's temporary password as `password`: the operator's own, replacing it. */
  newPassword: z.string().max(1024).optional(),
});
const setupSchema = z.object({
  apiKey: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  password: z.string().max(1024),
});

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { ...JSON_HEADERS, ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The console's own HTTP surface: `/console/session` (sign in, who am I + CSRF token, sign out),
 * `/console/setup` (the first operator, with an API key as proof) and the console's files, with
 * every other page path answering the console's index so deep links work.
 * Answers false when the path is not the console's.
 */
export function createConsoleRoutes(options: ConsoleRoutesOptions) {
  const distDir = options.distDir ?? CONSOLE_DIST;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const secureCookie = () => options.publicUrl().startsWith("https:");

  const sessionCookie = (token: string, maxAgeSeconds: number) =>
    `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secureCookie() ? "; Secure" : ""}`;

  /** Sign-in and setup come only from Tenantry's own pages: a JSON body and, if sent, our Origin. */
  const foreignOrigin = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    return typeof origin === "string" && origin !== new URL(options.publicUrl()).origin;
  };

  async function sessionAnswer(token: string) {
    const session = await findOperatorSession(options.db(), token, now());
    if (!session) return null;
    return {
      operator: session.operator,
      workspaceId: session.workspaceId,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    };
  }

  async function signIn(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const body = await readJsonBody(req, options.bodyLimitBytes);
    if (!body.ok) return sendJson(res, body.status, { ...body.error, requestId });
    const parsed = signInSchema.safeParse(body.value);
    if (!parsed.success) {
      return sendJson(res, 400, { code: "invalid_input", message: "Send { email, password }", requestId });
    }
    const { email, password, newPassword } = parsed.data;
    const db = options.db();
    const address = clientAddress(
      req.socket.remoteAddress,
      req.headers["x-forwarded-for"],
      options.trustedProxies ?? NO_TRUSTED_PROXIES,
    );
    const retryAfter = await countSignInAttempt(db, { email, address }, now());
    if (retryAfter !== null) {
      options.logger.info({ requestId }, "console sign-in throttled");
      return sendJson(
        res,
        429,
        {
          code: "rate_limited",
          message: "Too many sign-in attempts; try again later",
          retryAfter,
          requestId,
        },
        { "retry-after": String(retryAfter) },
      );
    }
    const check = await checkOperatorCredentials(db, email, password, verifyOperatorPassword, now());
    if (check.result === "invalid") {
      options.logger.info({ requestId }, "console sign-in refused");
      return sendJson(res, 401, {
        code: "invalid_credentials",
        message: "Wrong email or password",
        requestId,
      });
    }
    // Right credentials are no failure, whatever follows.
    await countSignInSuccess(db, { email, address }, now());
    const { operator } = check;
    if (check.result === "disabled") {
      return sendJson(res, 403, {
        code: "operator_disabled",
        message: "This operator is disabled. Ask another operator of your workspace to enable you.",
        requestId,
      });
    }
    if (check.result === "change_password") {
      if (!newPassword) {
        return sendJson(res, 403, {
          code: "password_change_required",
          message: "Your password was reset. Choose a new password to sign in.",
          requestId,
        });
      }
      const problem =
        passwordProblem(newPassword) ??
        (newPassword === password ? "Choose a password other than the temporary one" : null);
      if (problem) {
        return sendJson(res, 400, {
          code: "invalid_input",
          message: problem,
          issues: [{ path: "newPassword", message: problem }],
          requestId,
        });
      }
      const exchanged = await exchangeTemporaryPassword(
        db,
        { ...operator, temporaryPasswordHash: operator.temporaryPasswordHash! },
        await hashOperatorPassword(newPassword),
        requestId,
        clock,
      );
      if (!exchanged) {
        return sendJson(res, 401, {
          code: "invalid_credentials",
          message: "Wrong email or password",
          requestId,
        });
      }
    }
    return startSession(res, operator, requestId, "operator.signed_in");
  }

  async function startSession(
    res: ServerResponse,
    operator: { workspaceId: string; id: string },
    requestId: string,
    action: "operator.signed_in" | "operator.created",
  ) {
    const { token } = await startOperatorSession(options.db(), operator, { requestId, action, clock });
    const answer = await sessionAnswer(token);
    return sendJson(res, 200, answer, {
      "set-cookie": sessionCookie(token, Math.floor(SESSION_ABSOLUTE_MS / 1000)),
    });
  }

  async function setUp(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const body = await readJsonBody(req, options.bodyLimitBytes);
    if (!body.ok) return sendJson(res, body.status, { ...body.error, requestId });
    const parsed = setupSchema.safeParse(body.value);
    if (!parsed.success) {
      return sendJson(res, 400, {
        code: "invalid_input",
        message: "Send { apiKey, email, name, password }",
        issues: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
        requestId,
      });
    }
    const problem = passwordProblem(parsed.data.password);
    if (problem) {
      return sendJson(res, 400, {
        code: "invalid_input",
        message: problem,
        issues: [{ path: "password", message: problem }],
        requestId,
      });
    }
    const setup = await setUpFirstOperator(
      options.db(),
      {
        apiKey: parsed.data.apiKey,
        email: parsed.data.email,
        name: parsed.data.name,
        password: parsed.data.password,
      },
      hashOperatorPassword,
      now(),
    );
    if (setup.result === "invalid_api_key") {
      return sendJson(res, 401, { code: "unauthorized", message: "That is not a valid API key", requestId });
    }
    if (setup.result === "already_set_up") {
      return sendJson(res, 409, {
        code: "setup_done",
        message: "This workspace already has an operator; sign in instead",
        requestId,
      });
    }
    return startSession(res, setup.operator, requestId, "operator.created");
  }

  async function serveConsoleFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const relative = normalize(decodeURIComponent(path)).replace(/^([/\\])+/, "");
    const isAsset = relative.startsWith("assets/") || /^[\w.-]+\.(svg|png|ico)$/.test(relative);
    if (isAsset && !relative.includes("..")) {
      const file = join(distDir, relative);
      const info = await stat(file).catch(() => null);
      if (info?.isFile()) {
        const compressible = COMPRESSIBLE.has(extname(file)) && info.size > 1024;
        const encoding = compressible ? chooseEncoding(req.headers["accept-encoding"]) : "identity";
        const body = compressible
          ? (await encodedFile(file, `${info.size}:${info.mtimeMs}`, () => readFile(file)))[encoding]
          : await readFile(file);
        res.writeHead(200, {
          ...CONSOLE_PAGE_HEADERS,
          "content-type": TYPES[extname(file)] ?? "application/octet-stream",
          // Vite names assets by their content hash: they never change under the same name.
          "cache-control": relative.startsWith("assets/")
            ? "public, max-age=31536000, immutable"
            : "no-cache",
          "content-length": String(body.length),
          ...(compressible ? { vary: "accept-encoding" } : {}),
          ...(encoding !== "identity" ? { "content-encoding": encoding } : {}),
        });
        res.end(req.method === "HEAD" ? undefined : body);
        return true;
      }
      res.writeHead(404, { ...CONSOLE_PAGE_HEADERS, "content-type": "text/plain; charset=utf-8" });
      res.end("Not found");
      return true;
    }
    const indexFile = join(distDir, "index.html");
    const info = await stat(indexFile).catch(() => null);
    if (!info?.isFile()) return false;
    const encoding = chooseEncoding(req.headers["accept-encoding"]);
    const index = (await encodedFile(indexFile, `${info.size}:${info.mtimeMs}`, () => readFile(indexFile)))[
      encoding
    ];
    res.writeHead(200, {
      ...CONSOLE_PAGE_HEADERS,
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "content-length": String(index.length),
      vary: "accept-encoding",
      ...(encoding !== "identity" ? { "content-encoding": encoding } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : index);
    return true;
  }

  /** Answers true when it handled the request. */
  return async function handleConsole(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    requestId: string,
  ): Promise<boolean> {
    const method = req.method ?? "GET";
    if (path === "/console/session") {
      const token = sessionTokenFromCookie(
        typeof req.headers.cookie === "string" ? req.headers.cookie : null,
      );
      if (method === "GET") {
        const answer = token ? await sessionAnswer(token) : null;
        if (answer) sendJson(res, 200, answer);
        else
          sendJson(res, 401, {
            code: "unauthorized",
            message: "Not signed in",
            setupRequired: !(await hasAnyOperator(options.db())),
            requestId,
          });
        return true;
      }
      if (method === "POST") {
        if (foreignOrigin(req)) {
          sendJson(res, 403, {
            code: "forbidden",
            message: "Sign in from Tenantry's own console",
            requestId,
          });
          return true;
        }
        await signIn(req, res, requestId);
        return true;
      }
      if (method === "DELETE") {
        const answer = token ? await sessionAnswer(token) : null;
        if (token && answer && req.headers[CSRF_HEADER] !== answer.csrfToken) {
          sendJson(res, 403, {
            code: "csrf_failed",
            message: `Missing or wrong ${CSRF_HEADER} header`,
            requestId,
          });
          return true;
        }
        if (token) await deleteOperatorSession(options.db(), token);
        res.writeHead(204, { ...JSON_HEADERS, "set-cookie": sessionCookie("", 0) });
        res.end();
        return true;
      }
      sendJson(
        res,
        405,
        { code: "method_not_allowed", message: "Use GET, POST or DELETE", requestId },
        { allow: "GET, POST, DELETE" },
      );
      return true;
    }
    if (path === "/console/setup") {
      if (method !== "POST") {
        sendJson(res, 405, { code: "method_not_allowed", message: "Use POST", requestId }, { allow: "POST" });
        return true;
      }
      if (foreignOrigin(req)) {
        sendJson(res, 403, { code: "forbidden", message: "Set up from Tenantry's own console", requestId });
        return true;
      }
      await setUp(req, res, requestId);
      return true;
    }
    if (method !== "GET" && method !== "HEAD") return false;
    // Only the console's own pages answer its index (deep links); any other path stays a JSON 404,
    // and paths the rest of the server owns (the OAuth callback among them) are never touched.
    if (!CONSOLE_PAGE.test(path) && !/^\/(assets\/|[\w.-]+\.(svg|png|ico)$)/.test(path)) return false;
    return serveConsoleFile(req, res, path);
  };
}
