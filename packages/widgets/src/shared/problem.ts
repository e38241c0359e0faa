import { TRPCClientError } from "@trpc/client";
import type { I18n } from "../i18n/i18n.js";
import type { MessageKey } from "../i18n/messages.js";

/** A refusal or failure as the server described it: its stable code, its message and details. */
export interface Problem {
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
}

/** The stable code and details of any error a widget sees; "network" when the server was not reached. */
export function problemOf(error: unknown): Problem {
  if (error && typeof error === "object" && !(error instanceof Error) && "code" in error)
    return error as Problem;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TRPCClientError) {
    const data = error.data as { appCode?: string; details?: Record<string, unknown> } | undefined;
    if (data?.appCode) return { code: data.appCode, message, details: data.details };
    // No answer at all: fetch failed (offline, DNS, or a refused CORS preflight).
    if (!data && error.cause instanceof TypeError) return { code: "network", message };
  }
  return { code: "error", message };
}

/** Codes whose plain-words text needs nothing from the details. */
const PLAIN: Record<string, MessageKey> = {
  unauthorized: "problem.unauthorized",
  not_found: "problem.not_found",
  version_conflict: "problem.version_conflict",
  rate_limited: "problem.rate_limited",
  tenant_inactive: "problem.tenant_inactive",
  network: "problem.network",
};

const listOf = (value: unknown) =>
  Array.isArray(value) ? value.filter((item) => typeof item === "string").join(", ") : "";

/**
 * The server's reason in plain words, in the widget's language; null when there is no text for it
 * (the caller then shows the server's own message, which names the rule).
 */
export function plainProblem(i18n: I18n, problem: Problem): string | null {
  const details = problem.details ?? {};
  if (problem.code === "origin_not_allowed") {
    const origin = typeof details.origin === "string" ? details.origin : globalThis.location?.origin;
    return i18n.t("problem.origin_not_allowed", { origin: origin ?? "" });
  }
  if (problem.code === "forbidden") {
    if (listOf(details.missing)) return i18n.t("problem.grant", { permissions: listOf(details.missing) });
    if (typeof details.permission === "string") {
      return i18n.t("problem.permission", { permission: details.permission });
    }
    return null;
  }
  const key = PLAIN[problem.code];
  return key ? i18n.t(key) : null;
}

/** What "Could not load" says: the plain reason, else the server's message. */
export function loadFailedText(i18n: I18n, error: unknown): string {
  const problem = problemOf(error);
  return i18n.t("common.loadFailed", { message: plainProblem(i18n, problem) ?? problem.message });
}
