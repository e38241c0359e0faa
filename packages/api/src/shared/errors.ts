import type { AppErrorCode, InputIssue } from "@tenantry/contracts/errors";
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

export interface ErrorBody {
  /** Details are also spread at the top level (`{ code, message, used, limit }`), for REST clients. */
  [detail: string]: unknown;
  code: AppErrorCode;
  message: string;
  details?: Record<string, unknown>;
  issues?: InputIssue[];
  requestId?: string;
}

interface ZodLikeIssue {
  path: PropertyKey[];
  message: string;
}

function zodIssues(cause: unknown): InputIssue[] | undefined {
  if (!cause || typeof cause !== "object" || !("issues" in cause) || !Array.isArray(cause.issues))
    return undefined;
  return (cause.issues as ZodLikeIssue[]).map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/**
 * The one place an error becomes what a client sees: a stable code, a clear message, and never a
 * stack trace or the text of an unexpected (internal) error.
 */
export function describeError(error: TRPCError): { status: number; body: ErrorBody } {
  const status = HTTP_STATUS[error.code] ?? 500;
  // A 5xx is described only when it was raised on purpose (e.g. an OAuth provider is down).
  if (status >= 500 && !(error.cause instanceof AppErrorCause)) {
    return { status, body: { code: "internal_error", message: "Internal server error" } };
  }
  const cause = error.cause;
  if (cause instanceof AppErrorCause) {
    return {
      status,
      body: {
        ...cause.details,
        code: cause.appCode,
        message: error.message,
        ...(cause.details ? { details: cause.details } : {}),
      },
    };
  }
  const issues = zodIssues(cause);
  if (issues && issues.length > 0) {
    const first = issues[0]!;
    const where = first.path ? `${first.path}: ` : "";
    return {
      status,
      body: { code: "invalid_input", message: `Invalid input: ${where}${first.message}`, issues },
    };
  }
  return { status, body: { code: DEFAULT_APP_CODE[error.code] ?? "invalid_input", message: error.message } };
}
