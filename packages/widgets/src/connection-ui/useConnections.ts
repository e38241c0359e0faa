import type { TenantryRouter } from "@tenantry/contracts/router";
import { TRPCClientError } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useMe, useTenantryOrigin } from "../provider/TenantryProvider.js";
import { trpc } from "../provider/trpc.js";
import { may } from "../shared/access.js";
import { type Problem, problemOf } from "../shared/problem.js";
import {
  type OAuthResult,
  oauthResultOf,
  POPUP_FEATURES,
  POPUP_NAME,
  redirectResultOf,
  withoutRedirectResult,
} from "./oauth.js";

type Outputs = inferRouterOutputs<TenantryRouter>;
export type CatalogApp = Outputs["apps"]["catalog"]["items"][number];
export type Connection = Outputs["connections"]["listForTenant"]["items"][number];
export type ConnectionStatus = Connection["status"];
type StartedConnection = Outputs["connections"]["create"];

/** One app of the catalog with the tenant's connections to it, newest first. */
export interface AppEntry {
  app: CatalogApp;
  appId: string;
  name: string;
  connections: Connection[];
}

/** What just went right, for a polite status message. */
export interface ConnectionNotice {
  kind: "connected" | "disconnected" | "cancelled";
  appName: string;
}

/** What just went wrong, by the server's (or the OAuth callback's) stable error code. */
export interface ConnectionProblem extends Problem {
  appName: string;
}

/** The parameters form's outcome: done, or the problem with each field's server-side message. */
export type ParametersOutcome =
  | { ok: true }
  | { ok: false; problem: ConnectionProblem; fieldErrors: Record<string, string> };

/** While a popup is open: which app, and (once the server answered) which connection. */
interface OAuthAttempt {
  appId: string;
  connectionId: string | null;
  popup: Window | null;
}

/** A pending connection older than this was left unfinished (the sign-in takes a minute, not ten). */
export const PENDING_STALE_MS = 3 * 60_000;
const POPUP_POLL_MS = 500;

function fieldIssuesOf(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {};
  const issues = (error.data as { issues?: { path: string; message: string }[] } | undefined)?.issues;
  const byField: Record<string, string> = {};
  for (const issue of Array.isArray(issues) ? issues : []) {
    byField[issue.path.replace(/^parameters\./, "")] ??= issue.message;
  }
  return byField;
}

/** Reads (and takes out of the address bar) the result the OAuth callback left after a redirect. */
function takeRedirectResult(): OAuthResult | null {
  if (typeof window === "undefined") return null;
  return redirectResultOf(window.location.href);
}

/**
 * The connection UI without its UI: the workspace's app catalog with the tenant's connections and
 * their status; connecting (OAuth in a popup with a redirect fallback, or parameters for API-key and
 * basic apps), reconnecting, retrying an unfinished sign-in and disconnecting; and the outcome of
 * each as a notice or a problem. OAuth results arrive as `postMessage` from Tenantry's own origin
 * (the provider's `baseUrl`) and nowhere else, or in the query string after a redirect.
 */
export function useConnections(options: { showDisconnected?: boolean } = {}) {
  const me = useMe();
  const tenantId = me.data?.tenant.id;
  const canWrite = may(me.data?.permissions ?? [], "connections.connect");
  const trustedOrigin = useTenantryOrigin();
  const utils = trpc.useUtils();

  const catalog = trpc.apps.catalog.useQuery({ tenantId: tenantId ?? "" }, { enabled: Boolean(tenantId) });
  const list = trpc.connections.listForTenant.useQuery(
    { tenantId: tenantId ?? "" },
    { enabled: Boolean(tenantId) },
  );
  const create = trpc.connections.create.useMutation();
  const remove = trpc.connections.delete.useMutation();
  const reauthorize = trpc.connections.reauthorize.useMutation();

  const [notice, setNotice] = useState<ConnectionNotice | null>(null);
  const [problem, setProblem] = useState<ConnectionProblem | null>(null);
  /** An OAuth result whose connection is not yet in the list: announced once the list has it. */
  const [result, setResult] = useState<OAuthResult | null>(takeRedirectResult);
  const [attempt, setAttempt] = useState<OAuthAttempt | null>(null);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  // The callback's parameters are for this widget only: once read, they leave the address bar, so a
  // reload or a shared link does not announce the result again.
  useEffect(() => {
    if (typeof window === "undefined") return;
    if (!redirectResultOf(window.location.href)) return;
    window.history.replaceState(window.history.state, "", withoutRedirectResult(window.location.href));
  }, []);

  const entries = useMemo<AppEntry[]>(() => {
    const apps = catalog.data?.items ?? [];
    const visible = (list.data?.items ?? []).filter(
      (connection) => options.showDisconnected || connection.status !== "disconnected",
    );
    const byApp = new Map<string, Connection[]>();
    for (const connection of visible) {
      const group = byApp.get(connection.appId) ?? [];
      group.push(connection);
      byApp.set(connection.appId, group);
    }
    // Connections to an app that left the catalog are not shown: the host's backend manages those.
    return apps.map((app) => ({ app, appId: app.id, name: app.name, connections: byApp.get(app.id) ?? [] }));
  }, [catalog.data, list.data, options.showDisconnected]);

  const appNameOf = useCallback(
    (appId: string) => entries.find((entry) => entry.appId === appId)?.name ?? appId,
    [entries],
  );

  // An OAuth result is announced with the app's name, which the refreshed list supplies.
  useEffect(() => {
    if (!result || !list.data) return;
    const connection = list.data.items.find((item) => item.id === result.connectionId);
    const appName = connection ? appNameOf(connection.appId) : "";
    if (result.status === "connected") {
      setProblem(null);
      setNotice({ kind: "connected", appName });
    } else {
      setNotice(null);
      setProblem({ code: result.errorCode ?? "provider_error", message: "", appName });
    }
    setResult(null);
  }, [result, list.data, appNameOf]);

  const refresh = useCallback(() => utils.connections.listForTenant.invalidate(), [utils]);

  // Results from the popup. Anything not from Tenantry's exact origin, or not of the protocol, is
  // ignored: any page could post to this window.
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const outcome = oauthResultOf(event, trustedOrigin);
      if (!outcome) return;
      setAttempt(null);
      void refresh().then(() => setResult(outcome));
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [trustedOrigin, refresh]);

  // A popup closed without a result: stop waiting; the connection stays pending, with a retry.
  const attemptRef = useRef(attempt);
  attemptRef.current = attempt;
  useEffect(() => {
    const popup = attempt?.popup;
    if (!popup) return;
    const timer = setInterval(() => {
      if (!popup.closed) return;
      clearInterval(timer);
      const closed = attemptRef.current;
      setAttempt(null);
      void refresh().then(() => {
        // The callback may have finished without its message reaching us: the list says.
        const fresh = closed?.connectionId
          ? utils.connections.listForTenant
              .getData({ tenantId: tenantId ?? "" })
              ?.items.find((item) => item.id === closed.connectionId)
          : undefined;
        if (fresh && fresh.status !== "pending") {
          setResult({
            connectionId: fresh.id,
            status: fresh.status === "connected" ? "connected" : "error",
            errorCode: fresh.status === "connected" ? null : (fresh.lastError ?? "provider_error"),
          });
        } else if (closed) {
          setNotice({ kind: "cancelled", appName: appNameOf(closed.appId) });
        }
      });
    }, POPUP_POLL_MS);
    return () => clearInterval(timer);
  }, [attempt?.popup, refresh, utils, tenantId, appNameOf]);

  const mark = useCallback((id: string, on: boolean) => {
    setBusy((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  /**
   * Starts the OAuth sign-in for an app (a new connection) or for an existing connection (reconnect,
   * or retry an unfinished one). Call it straight from the click: the popup opens at once, blank,
   * inside the user's gesture, and gets the provider's address when the server has made it.
   */
  const startOAuth = useCallback(
    async (appId: string, existing: Connection | null) => {
      if (!tenantId) return;
      const popup = window.open("", POPUP_NAME, POPUP_FEATURES);
      const appName = appNameOf(appId);
      setNotice(null);
      setProblem(null);
      setAttempt({ appId, connectionId: existing?.id ?? null, popup });
      mark(appId, true);
      const returnTo = window.location.href;
      try {
        const started: StartedConnection = existing
          ? await reauthorize.mutateAsync({ id: existing.id, returnTo })
          : await create.mutateAsync({ tenantId, appId, returnTo });
        void refresh();
        if (!started.authorizationUrl) {
          popup?.close();
          setAttempt(null);
          if (started.status === "connected") setNotice({ kind: "connected", appName });
          return;
        }
        if (!popup) {
          // Blocked: the whole page goes to the provider, and the callback brings it back here.
          window.location.assign(started.authorizationUrl);
          return;
        }
        if (popup.closed) return; // closed before it got anywhere: the poll reports it
        popup.location.href = started.authorizationUrl;
        setAttempt({ appId, connectionId: started.id, popup });
      } catch (error) {
        popup?.close();
        setAttempt(null);
        setProblem({ ...problemOf(error), appName });
      } finally {
        mark(appId, false);
      }
    },
    [tenantId, appNameOf, mark, reauthorize, create, refresh],
  );

  /**
   * Connects an API-key or basic app with its parameters; `replacing` is a broken connection of the
   * same app, disconnected once the new one works (parameters are not editable in place).
   */
  const connectWithParameters = useCallback(
    async (
      app: CatalogApp,
      parameters: Record<string, unknown>,
      replacing: Connection | null = null,
    ): Promise<ParametersOutcome> => {
      if (!tenantId)
        return { ok: false, problem: { code: "error", message: "", appName: app.name }, fieldErrors: {} };
      setNotice(null);
      setProblem(null);
      try {
        await create.mutateAsync({ tenantId, appId: app.id, parameters });
        if (replacing) await remove.mutateAsync({ id: replacing.id }).catch(() => undefined);
        setNotice({ kind: "connected", appName: app.name });
        await refresh();
        return { ok: true };
      } catch (error) {
        return {
          ok: false,
          problem: { ...problemOf(error), appName: app.name },
          fieldErrors: fieldIssuesOf(error),
        };
      }
    },
    [tenantId, create, remove, refresh],
  );

  const disconnect = useCallback(
    async (connection: Connection) => {
      const appName = appNameOf(connection.appId);
      setNotice(null);
      setProblem(null);
      mark(connection.id, true);
      try {
        await remove.mutateAsync({ id: connection.id });
        setNotice({ kind: "disconnected", appName });
      } catch (error) {
        setProblem({ ...problemOf(error), appName });
      } finally {
        mark(connection.id, false);
        await refresh();
      }
    },
    [appNameOf, mark, remove, refresh],
  );

  const loadError = me.error ?? catalog.error ?? list.error;
  const status: "loading" | "error" | "ready" = loadError
    ? "error"
    : me.data && catalog.data && list.data
      ? "ready"
      : "loading";

  return {
    status,
    loadError,
    retry: () => (me.error ? me.refetch() : Promise.all([catalog.refetch(), list.refetch()])),
    entries,
    canWrite,
    fetching: list.isFetching,
    /** The app whose OAuth sign-in is under way in a popup, if any. */
    waitingFor: attempt?.popup ? attempt.appId : null,
    busy,
    notice,
    problem,
    dismissProblem: () => setProblem(null),
    connectOAuth: (app: CatalogApp) => startOAuth(app.id, null),
    /** Reconnect (`needs_reauth`, `error`) or retry an unfinished (`pending`) OAuth connection. */
    reauthorize: (connection: Connection) => startOAuth(connection.appId, connection),
    connectWithParameters,
    disconnect,
    refresh,
  };
}

export type ConnectionsController = ReturnType<typeof useConnections>;

/** A pending connection nobody is finishing any more (the popup was closed, or it is old). */
export function isStalePending(connection: Connection, now = Date.now()): boolean {
  return connection.status === "pending" && now - Date.parse(connection.updatedAt) > PENDING_STALE_MS;
}
