import type { TenantryRouter } from "@tenantry/contracts/router";
import { httpBatchLink, TRPCClientError, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import type { TokenSource } from "./token-source.js";

/** Set on every operation's context by `bearerTokenLink`; terminating links send it as a header. */
export interface TenantryOperationContext extends Record<string, unknown> {
  authorization?: string;
}

function isUnauthorized(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const data = error.data as { httpStatus?: number; code?: string } | undefined;
  return data?.httpStatus === 401 || data?.code === "UNAUTHORIZED";
}

/**
 * Attaches the bearer token to each call. A 401 (the token expired early, or its key was rotated)
 * fetches a new token once and retries the call once; a second 401 reaches the widget.
 */
export function bearerTokenLink(tokens: TokenSource): TRPCLink<TenantryRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: { unsubscribe(): void } | undefined;
        let stopped = false;
        let retried = false;
        const attempt = (token: string) => {
          if (stopped) return;
          subscription = next({
            ...op,
            context: { ...op.context, authorization: `Bearer ${token}` },
          }).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              if (retried || stopped || !tokens.canRefresh || !isUnauthorized(error)) {
                observer.error(error);
                return;
              }
              retried = true;
              tokens.refresh().then(attempt, () => observer.error(error));
            },
          });
        };
        tokens
          .current()
          .then(attempt, (cause: unknown) => observer.error(TRPCClientError.from(toError(cause))));
        return () => {
          stopped = true;
          subscription?.unsubscribe();
        };
      });
}

function toError(cause: unknown): Error {
  return cause instanceof Error ? cause : new Error(`getToken failed: ${String(cause)}`);
}

/** The `kid` in a bearer JWT's header, unverified: only to ask which workspace's origins apply. */
function kidOf(authorization: string | null): string | null {
  const header = authorization?.match(/^Bearer ([\w-]+)\./)?.[1];
  if (!header) return null;
  try {
    const { kid } = JSON.parse(atob(header.replace(/-/g, "+").replace(/_/g, "/"))) as { kid?: unknown };
    return typeof kid === "string" ? kid : null;
  } catch {
    return null;
  }
}

/**
 * A browser reports a refused CORS preflight only as "Failed to fetch". After such a failure this
 * asks Tenantry's `/cors-diagnosis` (open to any origin) whether the page's origin is the reason,
 * and if so fails with `origin_not_allowed`, which the widgets explain in plain words.
 */
export function diagnosingFetch(baseUrl: string, fetchImpl: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await fetchImpl(input, init);
    } catch (error) {
      const kid = kidOf(new Headers(init?.headers).get("authorization"));
      if (!kid) throw error;
      const diagnosis = (await fetchImpl(`${baseUrl}/cors-diagnosis?kid=${encodeURIComponent(kid)}`).then(
        (response) => (response.ok ? response.json() : null),
        () => null,
      )) as { verdict?: string; origin?: string } | null;
      if (diagnosis?.verdict !== "origin_not_allowed") throw error;
      const origin = diagnosis.origin ?? globalThis.location?.origin ?? "";
      const message = `This page's origin ${origin} is not allowed for this workspace`;
      throw new TRPCClientError(message, {
        cause: error as Error,
        result: {
          error: {
            code: -32003,
            message,
            data: { code: "FORBIDDEN", appCode: "origin_not_allowed", httpStatus: 403, details: { origin } },
          },
        },
      } as ConstructorParameters<typeof TRPCClientError<TenantryRouter>>[1]);
    }
  };
}

/** Batched HTTP to `${baseUrl}/trpc`, sending the token `bearerTokenLink` put on the operations. */
export function tenantryHttpLink(baseUrl: string, fetchImpl?: typeof fetch): TRPCLink<TenantryRouter> {
  const base = baseUrl.replace(/\/+$/, "");
  return httpBatchLink<TenantryRouter>({
    url: `${base}/trpc`,
    fetch: diagnosingFetch(base, fetchImpl),
    headers({ opList }) {
      const authorization = (opList[0]?.context as TenantryOperationContext | undefined)?.authorization;
      return authorization ? { authorization } : {};
    },
  });
}
