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

/** Batched HTTP to `${baseUrl}/trpc`, sending the token `bearerTokenLink` put on the operations. */
export function tenantryHttpLink(baseUrl: string, fetchImpl?: typeof fetch): TRPCLink<TenantryRouter> {
  return httpBatchLink<TenantryRouter>({
    url: `${baseUrl.replace(/\/+$/, "")}/trpc`,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    headers({ opList }) {
      const authorization = (opList[0]?.context as TenantryOperationContext | undefined)?.authorization;
      return authorization ? { authorization } : {};
    },
  });
}
