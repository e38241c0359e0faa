import type { IncomingMessage, ServerResponse } from "node:http";
import { diagnoseOrigin } from "@tenantry/api/http";
import type { Database } from "@tenantry/db/database";
import type { Logger } from "pino";

/** Where a widget asks, after a network failure, whether its page's origin is the reason. */
export const CORS_DIAGNOSIS_PATH = "/cors-diagnosis";

const KID_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

/** The `kid` of a bearer JWT's header, unverified: only used to name the key in diagnostics. */
export function kidOfBearer(authorization: string | string[] | undefined): string | null {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const header = value?.match(/^Bearer\s+([A-Za-z0-9_-]+)\./)?.[1];
  if (!header) return null;
  try {
    const { kid } = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { kid?: unknown };
    return typeof kid === "string" && KID_PATTERN.test(kid) ? kid : null;
  } catch {
    return null;
  }
}

/** One line an operator can act on: which origin was refused, for which workspace and key. */
export function logOriginRefused(
  logger: Logger,
  entry: { origin: string; workspaceId: string | null; kid: string | null; requestId: string },
  context: string,
): void {
  logger.warn(
    { ...entry, hint: "add the origin under Allowed origins in the console" },
    `Origin ${entry.origin} is not allowed ${entry.workspaceId ? `for workspace ${entry.workspaceId}` : "by any workspace"} (${context})`,
  );
}

/**
 * `GET /cors-diagnosis?kid=…`: is the request's Origin allowed for that signing key's workspace?
 * Needs no credentials and answers any origin (CORS `*`), since it exists for pages whose origin
 * is refused; it answers yes or no for the asking origin only, never the allow-list.
 */
export async function handleCorsDiagnosis(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  { db, logger, requestId }: { db: Database; logger: Logger; requestId: string },
): Promise<void> {
  const headers = {
    "access-control-allow-origin": "*",
    "cache-control": "no-store",
    "content-type": "application/json; charset=utf-8",
    "x-content-type-options": "nosniff",
  };
  const answer = (status: number, body: unknown) => {
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
  };
  if (req.method !== "GET") {
    res.setHeader("allow", "GET");
    return answer(405, { code: "method_not_allowed", message: "Use GET", requestId });
  }
  const kid = url.searchParams.get("kid") ?? "";
  if (!KID_PATTERN.test(kid)) {
    return answer(400, {
      code: "invalid_input",
      message: "kid must be the signing key id from the access token's header",
      requestId,
    });
  }
  const origin = typeof req.headers.origin === "string" ? req.headers.origin : null;
  if (!origin || origin === "null") {
    return answer(400, {
      code: "invalid_input",
      message: "Send this request from the page in question: its Origin header is what is checked",
      requestId,
    });
  }
  const diagnosis = await diagnoseOrigin(db, kid, origin);
  if (diagnosis.verdict === "origin_not_allowed") {
    logOriginRefused(logger, { origin, workspaceId: diagnosis.workspaceId, kid, requestId }, "diagnosis");
  }
  return answer(200, { origin, kid, verdict: diagnosis.verdict });
}
