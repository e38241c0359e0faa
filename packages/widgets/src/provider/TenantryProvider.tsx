import {
  type DefaultOptions,
  hashKey,
  QueryClient,
  QueryClientProvider,
  useQuery,
} from "@tanstack/react-query";
import { retryUnlessFinal } from "@tenantry/contracts/query-retry";
import type { TenantryRouter } from "@tenantry/contracts/router";
import type { TRPCClientErrorLike, TRPCLink } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import { createI18n, type I18n, languageOf } from "../i18n/i18n.js";
import { loadCatalog } from "../i18n/load-catalog.js";
import { bearerTokenLink, tenantryHttpLink } from "./links.js";
import { createTokenSource } from "./token-source.js";
import { trpc } from "./trpc.js";

export type Theme = "light" | "dark" | "system";

export interface TenantryProviderProps {
  /** Where Tenantry is served, e.g. `https://tenantry.example.com`; calls go to `${baseUrl}/trpc`. */
  baseUrl: string;
  /**
   * Fetches an access token from the host's backend; called again near `exp` and after a 401.
   * Keep it stable (module level or `useCallback`): a new function is a new identity (see below).
   */
  getToken?: () => Promise<string>;
  /** A fixed access token (no refresh): for short-lived pages and demos. */
  token?: string;
  /**
   * The host's own QueryClient, to share its cache and devtools. The widgets' keys are scoped per
   * provider and identity, so they never collide with the host's queries. Default: a private one.
   */
  queryClient?: QueryClient;
  theme?: Theme;
  /** Overrides the tenant's locale (e.g. `sv-SE`); unset, the widgets follow the tenant. */
  locale?: string;
  /**
   * Replaces the HTTP link to `${baseUrl}/trpc`: for tests, Storybook and hosts that run the router
   * in process. It receives each operation with `context.authorization` set.
   */
  link?: TRPCLink<TenantryRouter>;
  /**
   * Operator mode, for a workspace-wide caller such as Tenantry's console: the widgets act on this
   * tenant with every permission. The `link` then carries the caller's own credentials, and no
   * access token is needed.
   */
  tenantId?: string;
  children: ReactNode;
}

interface TenantrySettings {
  theme: Theme;
  localeOverride: string | null;
  baseUrl: string;
  tenantId: string | null;
}

const SettingsContext = createContext<TenantrySettings | null>(null);

const widgetQueryDefaults: DefaultOptions = {
  queries: {
    retry: retryUnlessFinal,
    refetchOnWindowFocus: false,
    staleTime: 30_000,
  },
};

/** Which identity the widgets' query keys belong to; changes when the token source or tenant does. */
interface ScopeHolder {
  scope: string;
}

/**
 * The cache the widgets read. Without a host QueryClient it is a private client. With one, it
 * shares the host's caches (its devtools see the widgets' queries). Either way every key is hashed
 * under the provider's current identity, so a widget query never answers from the host's own tRPC
 * queries, from another provider's or from a previous tenant's.
 */
function scopedQueryClient(hostClient: QueryClient | undefined, holder: ScopeHolder): QueryClient {
  const hostDefaults = hostClient?.getDefaultOptions() ?? {};
  return new QueryClient({
    ...(hostClient
      ? { queryCache: hostClient.getQueryCache(), mutationCache: hostClient.getMutationCache() }
      : {}),
    defaultOptions: {
      ...hostDefaults,
      queries: {
        // The host's own defaults (retry, staleTime, …) win where it set them.
        ...widgetQueryDefaults.queries,
        ...hostDefaults.queries,
        queryKeyHashFn: (queryKey) => hashKey([SCOPE_PREFIX, holder.scope, ...queryKey]),
      },
    },
  });
}

const SCOPE_PREFIX = "@tenantry/widgets";

/**
 * Gives every widget below it a typed tRPC client, the access token, the theme and the locale.
 *
 * A new `getToken` function, `token`, `tenantId`, `baseUrl` or `link` is a new identity: the
 * widgets fetch a fresh token and start from an empty cache, so they never show the previous
 * tenant's data. Pass a stable `getToken` (defined outside the component, or `useCallback`).
 */
export function TenantryProvider(props: TenantryProviderProps) {
  const providerId = useId();
  const { token, getToken, baseUrl, link, tenantId, queryClient: hostClient } = props;

  const identity = useMemo(() => {
    const transport = link ?? tenantryHttpLink(baseUrl);
    const trpcClient =
      tenantId && !token && !getToken
        ? trpc.createClient({ links: [transport] })
        : trpc.createClient({ links: [bearerTokenLink(createTokenSource({ token, getToken })), transport] });
    return { trpcClient, scope: `${providerId}:${nextGeneration()}` };
  }, [token, getToken, baseUrl, link, tenantId, providerId]);

  // Mounted queries keep their QueryClient for life, so the client stays and the key scope moves:
  // on the render that brings a new identity every widget query hashes to a new, empty entry.
  const [holder] = useState<ScopeHolder>(() => ({ scope: identity.scope }));
  holder.scope = identity.scope;
  const queryClient = useMemo(() => scopedQueryClient(hostClient, holder), [hostClient, holder]);

  // What a previous identity cached is never shown again: drop it once the new one is committed.
  // (Not on unmount: StrictMode's second mount would lose the first mount's queries.)
  const committedScope = useRef(identity.scope);
  useEffect(() => {
    const previous = committedScope.current;
    if (previous === identity.scope) return;
    committedScope.current = identity.scope;
    const prefix = JSON.stringify([SCOPE_PREFIX, previous]).slice(0, -1);
    queryClient.removeQueries({ predicate: (query) => query.queryHash.startsWith(prefix) });
  }, [queryClient, identity.scope]);

  const settings = useMemo<TenantrySettings>(
    () => ({
      theme: props.theme ?? "system",
      localeOverride: props.locale ?? null,
      baseUrl,
      tenantId: tenantId ?? null,
    }),
    [props.theme, props.locale, baseUrl, tenantId],
  );

  return (
    <trpc.Provider client={identity.trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <SettingsContext.Provider value={settings}>{props.children}</SettingsContext.Provider>
      </QueryClientProvider>
    </trpc.Provider>
  );
}

let generation = 0;
/** A process-wide counter: two identities of one provider never share a scope. */
function nextGeneration(): number {
  generation += 1;
  return generation;
}

function useSettings(): TenantrySettings {
  const settings = useContext(SettingsContext);
  if (!settings) throw new Error("Tenantry widgets must be rendered inside <TenantryProvider>");
  return settings;
}

export type Me = inferRouterOutputs<TenantryRouter>["accessTokens"]["me"];

export interface MeQuery {
  data: Me | undefined;
  error: TRPCClientErrorLike<TenantryRouter> | null;
  isLoading: boolean;
  refetch(): Promise<unknown>;
}

/** Who the access token is: its tenant, member and permissions (`GET /me`). */
export function useMe(): MeQuery {
  const { tenantId } = useSettings();
  return trpc.accessTokens.me.useQuery(tenantId ? { tenantId } : undefined, { staleTime: 60_000 });
}

/** Texts and `Intl` formatting in the host's locale override, else the tenant's, else English. */
export function useI18n(): I18n {
  const { localeOverride, tenantId } = useSettings();
  const me = trpc.accessTokens.me.useQuery(tenantId ? { tenantId } : undefined, {
    staleTime: 60_000,
    enabled: !localeOverride,
  });
  const locale = localeOverride ?? me.data?.tenant.locale ?? null;
  const language = languageOf(locale);
  const catalog = useQuery({
    queryKey: ["tenantry", "messages", language],
    queryFn: () => loadCatalog(language),
    enabled: language !== "en",
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
  });
  return useMemo(() => createI18n(locale, catalog.data), [locale, catalog.data]);
}

/** Operator mode (the provider's `tenantId`): a workspace caller, whom the owner-only rules do not bind. */
export function useOperatorMode(): boolean {
  return useSettings().tenantId !== null;
}

export function useTheme(): Theme {
  return useSettings().theme;
}

/**
 * The origin of the provider's `baseUrl` (e.g. `https://tenantry.example.com`): the only origin whose
 * messages a widget trusts, such as the OAuth callback page's result. Null when `baseUrl` is no URL.
 */
export function useTenantryOrigin(): string | null {
  const { baseUrl } = useSettings();
  return useMemo(() => {
    try {
      // A relative baseUrl (the host proxies Tenantry) means the page's own origin.
      return new URL(baseUrl, globalThis.location?.href).origin;
    } catch {
      return null;
    }
  }, [baseUrl]);
}
