import type { IncomingMessage } from "node:http";
import { guardInput, type InputIssue } from "@tenantry/api/http";
import { summarizeIssue } from "@tenantry/contracts/plain-messages";

export type BodyResult =
  | { ok: true; value: unknown }
  | { ok: false; status: number; error: { code: string; message: string; issues?: InputIssue[] } };

/**
 * Reads a JSON body up to `limit` bytes. Too large → 413 before the rest is read; not JSON → 400;
 * a body that is not declared as JSON → 415; JSON that nests too deep or holds a string no
 * database can store (NUL, an unpaired surrogate) → 400 `invalid_input`. No body → `undefined`.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  // Neither a length nor chunks (a GET, mostly): HTTP/1.1 says there is no body, nothing to wait for.
  if (req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined) {
    return NO_BODY;
  }
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    return tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      return tooLarge(limit);
    }
    chunks.push(chunk);
  }
  if (size === 0) return { ok: true, value: undefined };
  const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
  if (!/^application\/(?:[a-z.+-]*\+)?json\b/.test(contentType)) {
    return {
      ok: false,
      status: 415,
      error: {
        code: "unsupported_media_type",
        message: "Send the body as JSON with Content-Type: application/json",
      },
    };
  }
  let value: unknown;
  try {
    // JSON.parse itself is iterative: deep nesting costs it no stack. What reads the value next may
    // recurse, so the guard (iterative too) bounds the depth before anything else sees it.
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    return {
      ok: false,
      status: 400,
      error: { code: "invalid_json", message: `The body is not valid JSON: ${(error as Error).message}` },
    };
  }
  const issue = guardInput(value);
  if (issue) {
    return {
      ok: false,
      status: 400,
      error: { code: "invalid_input", message: summarizeIssue(issue), issues: [issue] },
    };
  }
  return { ok: true, value };
}

const NO_BODY: BodyResult = { ok: true, value: undefined };

function tooLarge(limit: number): BodyResult {
  return {
    ok: false,
    status: 413,
    error: { code: "payload_too_large", message: `The body is larger than the limit of ${limit} bytes` },
  };
}
