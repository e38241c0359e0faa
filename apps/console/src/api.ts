import { QueryClient } from "@tanstack/react-query";
import type { ConsoleSession } from "@tenantry/contracts/operators";
import { retryUnlessFinal } from "@tenantry/contracts/query-retry";
import type { TenantryRouter as AppRouter } from "@tenantry/contracts/router";
import { httpBatchLink, TRPCClientError } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { takeFirstSession } from "./first-requests";

/** The console's typed tRPC hooks. Calls carry the session cookie and the CSRF header, never a key. */
export const trpc = createTRPCReact<AppRouter>();
export type Outputs = inferRouterOutputs<AppRouter>;
export type Inputs = inferRouterInputs<AppRouter>;
export type Tenant = Outputs["tenants"]["get"];

export type { ConsoleSession } from "@tenantry/contracts/operators";

/** The CSRF token of the current session, sent as `x-tenantry-csrf` on every call. */
let csrfToken = "";
export function setCsrfToken(token: string) {
  csrfToken = token;
}

/** Called when a call answers 401: the session ended, so the console shows the sign-in page. */
let onSessionEnded: () => void = () => {};
export function whenSessionEnds(callback: () => void) {
  onSessionEnded = callback;
}

export const consoleLink = httpBatchLink<AppRouter>({
  url: "/trpc",
  headers: () => ({ "x-tenantry-csrf": csrfToken }),
  fetch: async (input, init) => {
    const response = await fetch(input, { ...init, credentials: "same-origin" });
    if (response.status === 401) onSessionEnded();
    return response;
  },
});

export const trpcClient = trpc.createClient({ links: [consoleLink] });

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: retryUnlessFinal,
      refetchOnWindowFocus: false,
      staleTime: 15_000,
    },
  },
});

export function httpStatusOf(error: unknown): number | undefined {
  return (error as { data?: { httpStatus?: number } } | null)?.data?.httpStatus;
}

export function appCodeOf(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) return (error.data as { appCode?: string } | undefined)?.appCode;
  return (error as { code?: string } | null)?.code;
}

export interface FieldIssue {
  path: string;
  message: string;
}

export function issuesOf(error: unknown): FieldIssue[] {
  if (!(error instanceof TRPCClientError)) return [];
  return ((error.data as { issues?: FieldIssue[] } | undefined)?.issues ?? []).filter(Boolean);
}

/** A form's problem line: each issue as `path: message`, or the error's message when it has none. */
export function issuesText(error: unknown): string {
  return (
    issuesOf(error)
      .map((issue) => `${issue.path}: ${issue.message}`)
      .join("; ") || messageOf(error)
  );
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The console's own session endpoints (`/console/session`, `/console/setup`). */
export class ConsoleHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
  }
}

async function sessionCall(
  path: string,
  init: RequestInit = {},
  started?: Promise<Response> | null,
): Promise<ConsoleSession | null> {
  const response = await (started ??
    fetch(path, {
      ...init,
      credentials: "same-origin",
      headers: { ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers },
    }));
  if (response.status === 204) return null;
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new ConsoleHttpError(
      response.status,
      String(body.code ?? "error"),
      String(body.message ?? response.statusText),
      body,
    );
  }
  return body as unknown as ConsoleSession;
}

export const sessionApi = {
  /** The first call takes the request first-requests.ts started before the app loaded. */
  current: () => sessionCall("/console/session", {}, takeFirstSession()),
  /** `newPassword` replaces a reset's temporary password given as `password`. */
  signIn: (email: string, password: string, newPassword?: string) =>
    sessionCall("/console/session", {
      method: "POST",
      body: JSON.stringify({ email, password, ...(newPassword ? { newPassword } : {}) }),
    }),
  setUp: (input: { apiKey: string; email: string; name: string; password: string }) =>
    sessionCall("/console/setup", { method: "POST", body: JSON.stringify(input) }),
  signOut: () =>
    sessionCall("/console/session", { method: "DELETE", headers: { "x-tenantry-csrf": csrfToken } }),
};
