import type { AppErrorCode, InputIssue } from "@tenantry/contracts/errors";
import { isUnknownKey, summarizeIssue } from "@tenantry/contracts/plain-messages";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/unstable-core-do-not-import";

/** Carried as the `cause` of a TRPCError so that tRPC and REST answer with the same stable code. */
export type { AppErrorCode, InputIssue };

export class AppErrorCause extends Error {
  constructor(
    readonly appCode: AppErrorCode,
    readonly details?: Record<string, unknown>,
  ) {
    super(appCode);
    this.name = "AppErrorCause";
  }
}

export function appError(
  code: TRPC_ERROR_CODE_KEY,
  appCode: AppErrorCode,
  message: string,
  details?: Record<string, unknown>,
): TRPCError {
  return new TRPCError({ code, message, cause: new AppErrorCause(appCode, details) });
}

export const notFound = (what: string, id: string) =>
  appError("NOT_FOUND", "not_found", `${what} ${id} was not found`);

const HTTP_STATUS: Partial<Record<TRPC_ERROR_CODE_KEY, number>> = {
  PARSE_ERROR: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405,
  TIMEOUT: 408,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_CONTENT: 422,
  TOO_MANY_REQUESTS: 429,
  CLIENT_CLOSED_REQUEST: 499,
  INTERNAL_SERVER_ERROR: 500,
  NOT_IMPLEMENTED: 501,
  BAD_GATEWAY: 502,
  SERVICE_UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
};

const DEFAULT_APP_CODE: Partial<Record<TRPC_ERROR_CODE_KEY, AppErrorCode>> = {
  PARSE_ERROR: "invalid_json",
  BAD_REQUEST: "invalid_input",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not_found",
  METHOD_NOT_SUPPORTED: "method_not_allowed",
  CONFLICT: "conflict",
  PAYLOAD_TOO_LARGE: "payload_too_large",
  TOO_MANY_REQUESTS: "rate_limited",
};

/**
 * What a client sees, over REST as the body and over tRPC as `error.message` and `error.data`. A few
 * codes carry documented extra members (`currentVersion`, `used`/`limit`/`remaining`, `status`, …):
 * REST has them at the top level, tRPC under `data.details`. `issues` is never among them.
 */
export interface ErrorBody {
  [extra: string]: unknown;
  code: AppErrorCode;
  message: string;
  issues?: InputIssue[];
  requestId?: string;
}

export interface DescribedError {
  status: number;
  body: ErrorBody;
  /** The extra members of `body`, apart (for tRPC's `data.details`). */
  extras?: Record<string, unknown>;
}

interface ZodLikeIssue {
  code?: string;
  path: PropertyKey[];
  message: string;
  keys?: unknown;
}

const joinPath = (path: readonly PropertyKey[]) => path.map(String).join(".");

/** zod's issues as `{ path, message }`; an unknown-keys issue becomes one issue per key, at its path. */
function zodIssues(cause: unknown): InputIssue[] | undefined {
  if (!cause || typeof cause !== "object" || !("issues" in cause) || !Array.isArray(cause.issues))
    return undefined;
  return (cause.issues as ZodLikeIssue[]).flatMap((issue): InputIssue[] => {
    if (issue.code === "unrecognized_keys" && Array.isArray(issue.keys)) {
      return issue.keys.map((key) => ({
        path: joinPath([...issue.path, String(key)]),
        message: isUnknownKey,
      }));
    }
    return [{ path: joinPath(issue.path), message: issue.message }];
  });
}

function isInputIssues(value: unknown): value is InputIssue[] {
  return (
    Array.isArray(value) &&
    value.every(
      (issue) =>
        typeof issue === "object" &&
        issue !== null &&
        typeof (issue as InputIssue).path === "string" &&
        typeof (issue as InputIssue).message === "string",
    )
  );
}

/** The top-level message of a 400 with issues: the first one in plain words, and how many more. */
export function issuesMessage(issues: readonly InputIssue[]): string {
  return summarizeIssue(issues[0]!, issues.length - 1);
}

/**
 * The one place an error becomes what a client sees: a stable code, a clear message, `issues` once,
 * and never a stack trace or the text of an unexpected (internal) error.
 */
export function describeError(error: TRPCError): DescribedError {
  const status = HTTP_STATUS[error.code] ?? 500;
  // A 5xx is described only when it was raised on purpose (e.g. an OAuth provider is down).
  if (status >= 500 && !(error.cause instanceof AppErrorCause)) {
    return { status, body: { code: "internal_error", message: "Internal server error" } };
  }
  const cause = error.cause;
  if (cause instanceof AppErrorCause) {
    const { issues, ...rest } = cause.details ?? {};
    const extras = Object.keys(rest).length > 0 ? rest : undefined;
    return {
      status,
      body: {
        ...extras,
        code: cause.appCode,
        message: error.message,
        ...(isInputIssues(issues) && issues.length > 0 ? { issues } : {}),
      },
      ...(extras ? { extras } : {}),
    };
  }
  const issues = zodIssues(cause);
  if (issues && issues.length > 0) {
    return { status, body: { code: "invalid_input", message: issuesMessage(issues), issues } };
  }
  return { status, body: { code: DEFAULT_APP_CODE[error.code] ?? "invalid_input", message: error.message } };
}
