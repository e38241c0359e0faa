import type { I18n } from "../i18n/i18n.js";
import type { MessageKey } from "../i18n/messages.js";
import { plainProblem } from "../shared/problem.js";
import type { ConnectionProblem } from "./useConnections.js";

const PROBLEM_CODES = new Set([
  "invalid_parameters",
  "connection_test_failed",
  "provider_error",
  "provider_unavailable",
  "invalid_state",
  "needs_reauth",
]);

/** The server's or the provider's refusal in plain words, never a bare code. */
export function problemText(i18n: I18n, problem: ConnectionProblem): string {
  if (PROBLEM_CODES.has(problem.code)) {
    return i18n.t(`connections.error.${problem.code}` as MessageKey, { app: problem.appName });
  }
  const plain = plainProblem(i18n, problem);
  if (plain) return plain;
  return problem.message
    ? i18n.t("connections.error.generic", { message: problem.message })
    : i18n.t("connections.error.unknown");
}
