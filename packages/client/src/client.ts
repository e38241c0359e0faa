import type { TenantryRouter } from "@tenantry/contracts/router";
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  type TRPCClient,
  TRPCClientError,
  type TRPCLink,
} from "@trpc/client";
import { observable } from "@trpc/server/observable";
import { TenantryClientError } from "./errors.js";

export interface TenantryClientOptions {
  /** Where Tenantry is served, e.g. `https://tenantry.example.com` (calls go to `/trpc`). */
  baseUrl: string;
  /** A workspace API key (`tnt_sk_…`). Keep it on your backend: it can do everything. */
  apiKey: string;
  /** Send concurrent calls in one HTTP request (default true). */
  batch?: boolean;
  /** Another fetch (tests, proxies, instrumentation). Default: the runtime's global fetch. */
  fetch?: typeof fetch;
  /** Extra headers on every request, e.g. tracing. `authorization` is always the API key. */
  headers?: Record<string, string>;
}

export type TenantryClient = TRPCClient<TenantryRouter>;

/** Turns every error into a TenantryClientError, so callers read `error.code` directly. */
function tenantryErrorLink(): TRPCLink<TenantryRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) =>
        next(op).subscribe({
          next: (value) => observer.next(value),
          complete: () => observer.complete(),
          error: (error) =>
            observer.error(
              error instanceof TenantryClientError
                ? error
                : new TenantryClientError(
                    error instanceof TRPCClientError ? error : TRPCClientError.from(error),
                  ),
            ),
        }),
      );
}

/**
 * The whole Tenantry API from a host's backend, typed from the router:
 * `await tenantry.tenants.get.query({ id })`, `await tenantry.tenants.create.mutate({ name })`.
 */
export function createTenantryClient(options: TenantryClientOptions): TenantryClient {
  if (!options.baseUrl) throw new TypeError("createTenantryClient: baseUrl is required");
  if (!options.apiKey) throw new TypeError("createTenantryClient: apiKey is required");
  const transport = {
    url: `${options.baseUrl.replace(/\/+$/, "")}/trpc`,
    headers: () => ({ ...options.headers, authorization: `Bearer ${options.apiKey}` }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  return createTRPCClient<TenantryRouter>({
    links: [
      tenantryErrorLink(),
      options.batch === false
        ? httpLink<TenantryRouter>(transport)
        : httpBatchLink<TenantryRouter>(transport),
    ],
  });
}
