import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import type { TenantryRouter } from "@tenantry/contracts/router";
import type { TRPCClientErrorLike, TRPCLink } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import { createContext, type ReactNode, useContext, useMemo, useRef, useState } from "react";
import { createI18n, type I18n, languageOf } from "../i18n/i18n.js";
import { loadCatalog } from "../i18n/load-catalog.js";
import { bearerTokenLink, tenantryHttpLink } from "./links.js";
import { createTokenSource } from "./token-source.js";
import { trpc } from "./trpc.js";

export type Theme = "light" | "dark" | "system";

export interface TenantryProviderProps {
  /** Where Tenantry is served, e.g. `https://tenantry.example.com`; calls go to `${baseUrl}/trpc`. */
  baseUrl: string;
  /** Fetches an access token from the host's backend; called again near `exp` and after a 401. */
  getToken?: () => Promise<string>;
  /** A fixed access token (no refresh): for short-lived pages and demos. */
  token?: string;
  /** The host's own QueryClient, to share its cache and devtools. */
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

function defaultQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // 4xx answers are final; only network trouble and 5xx are worth another try.
        retry: (failureCount, error) => {
          const status = (error as { data?: { httpStatus?: number } }).data?.httpStatus;
          return failureCount < 2 && (status === undefined || status >= 500);
        },
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
    },
  });
}

/** Gives every widget below it a typed tRPC client, the access token, the theme and the locale. */
export function TenantryProvider(props: TenantryProviderProps) {
  // The host may pass a new `getToken` function on every render; the client keeps the latest one.
  const getTokenRef = useRef(props.getToken);
  getTokenRef.current = props.getToken;
  const hasGetToken = Boolean(props.getToken);

  const [ownQueryClient] = useState(defaultQueryClient);
  const queryClient = props.queryClient ?? ownQueryClient;

  const trpcClient = useMemo(() => {
    const transport = props.link ?? tenantryHttpLink(props.baseUrl);
    if (props.tenantId && !props.token && !hasGetToken) return trpc.createClient({ links: [transport] });
    const tokens = createTokenSource({
      token: props.token,
      getToken: hasGetToken ? () => getTokenRef.current!() : undefined,
    });
    return trpc.createClient({ links: [bearerTokenLink(tokens), transport] });
  }, [props.token, hasGetToken, props.baseUrl, props.link, props.tenantId]);

  const settings = useMemo<TenantrySettings>(
    () => ({
      theme: props.theme ?? "system",
      localeOverride: props.locale ?? null,
      baseUrl: props.baseUrl,
      tenantId: props.tenantId ?? null,
    }),
    [props.theme, props.locale, props.baseUrl, props.tenantId],
  );

  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <SettingsContext.Provider value={settings}>{props.children}</SettingsContext.Provider>
      </QueryClientProvider>
    </trpc.Provider>
  );
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
