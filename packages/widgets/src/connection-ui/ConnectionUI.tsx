import { lazy, Suspense, useId, useState } from "react";
import type { I18n } from "../i18n/i18n.js";
import type { MessageKey } from "../i18n/messages.js";
import { useI18n } from "../provider/TenantryProvider.js";
import { WidgetRoot } from "../provider/WidgetRoot.js";
import { FieldInput } from "../shared/FieldInput.js";
import { loadFailedText } from "../shared/problem.js";
import { useValidatorReady } from "../tenant-fields-form/useValidator.js";
import { problemText } from "./connection-texts.js";
import type { ParametersDialogParts } from "./ParametersDialog.js";
import { initialInputs, parameterFieldsOf, readParameters } from "./parameters-model.js";
import {
  type AppEntry,
  type CatalogApp,
  type Connection,
  type ConnectionsController,
  isStalePending,
  useConnections,
} from "./useConnections.js";

// The parameters form is its own chunk, loaded when an API-key or basic app is first connected.
const ParametersDialog = lazy(() =>
  import("./ParametersDialog.js").then((module) => ({ default: module.ParametersDialog })),
);
// The dialogs are loaded on first use everywhere, so they are never in the up-front bundle.
const ConfirmDialog = lazy(() =>
  import("../shared/Dialog.js").then((module) => ({ default: module.ConfirmDialog })),
);
const parametersParts: ParametersDialogParts = {
  FieldInput,
  useValidatorReady,
  problemText,
  parameterFieldsOf,
  initialInputs,
  readParameters,
};

export interface ConnectionUIProps {
  /** The heading; "Connections" (translated) unless given. */
  title?: string;
  /** Also list connections that were disconnected (hidden by default). */
  showDisconnected?: boolean;
  className?: string;
}

/**
 * The workspace's app catalog and the tenant's connections: connect (OAuth in a popup, or the app's
 * parameters form), reconnect, retry an unfinished sign-in, disconnect after a confirmation.
 */
export function ConnectionUI(props: ConnectionUIProps) {
  const i18n = useI18n();
  const controller = useConnections({ showDisconnected: props.showDisconnected });
  const titleId = useId();
  const [form, setForm] = useState<{ app: CatalogApp; replacing: Connection | null } | null>(null);
  const [confirming, setConfirming] = useState<{ connection: Connection; name: string } | null>(null);

  return (
    <WidgetRoot
      i18n={i18n}
      className={props.className ? `tnt-connections ${props.className}` : "tnt-connections"}
    >
      <section className="tnt-card" aria-labelledby={titleId} aria-busy={controller.status === "loading"}>
        <h2 id={titleId} className="tnt-title">
          {props.title ?? i18n.t("connections.title")}
        </h2>
        {controller.status === "loading" && <LoadingState i18n={i18n} />}
        {controller.status === "error" && (
          <div className="tnt-banner tnt-banner-error" role="alert">
            <p>{loadFailedText(i18n, controller.loadError)}</p>
            <button type="button" className="tnt-button" onClick={() => controller.retry()}>
              {i18n.t("common.retry")}
            </button>
          </div>
        )}
        {controller.status === "ready" && (
          <AppList
            i18n={i18n}
            controller={controller}
            onParameters={(app, replacing) => setForm({ app, replacing })}
            onDisconnect={(connection, name) => setConfirming({ connection, name })}
          />
        )}
      </section>

      {form && (
        <Suspense fallback={null}>
          <ParametersDialog
            parts={parametersParts}
            i18n={i18n}
            controller={controller}
            app={form.app}
            replacing={form.replacing}
            onClose={() => setForm(null)}
          />
        </Suspense>
      )}
      {confirming && (
        <Suspense fallback={null}>
          <ConfirmDialog
            open
            title={i18n.t("connections.confirmTitle", { app: confirming.name })}
            description={i18n.t("connections.confirm", { app: confirming.name })}
            confirmLabel={i18n.t("connections.disconnect")}
            cancelLabel={i18n.t("connections.cancel")}
            destructive
            onCancel={() => setConfirming(null)}
            onConfirm={() => {
              const { connection } = confirming;
              setConfirming(null);
              void controller.disconnect(connection);
            }}
          />
        </Suspense>
      )}
    </WidgetRoot>
  );
}

function LoadingState({ i18n }: { i18n: I18n }) {
  return (
    <div className="tnt-skeleton" role="status">
      <span className="tnt-visually-hidden">{i18n.t("common.loading")}</span>
      {[0, 1, 2].map((row) => (
        <div key={row} className="tnt-skeleton-row tnt-skeleton-line" aria-hidden="true">
          <span className="tnt-skeleton-input" />
        </div>
      ))}
    </div>
  );
}

function AppList({
  i18n,
  controller,
  onParameters,
  onDisconnect,
}: {
  i18n: I18n;
  controller: ConnectionsController;
  onParameters: (app: CatalogApp, replacing: Connection | null) => void;
  onDisconnect: (connection: Connection, name: string) => void;
}) {
  const { entries, notice, problem, waitingFor } = controller;
  const waitingName = waitingFor ? entries.find((entry) => entry.appId === waitingFor)?.name : null;
  return (
    <>
      {!controller.canWrite && <p className="tnt-banner tnt-banner-info">{i18n.t("connections.readOnly")}</p>}
      {problem && (
        <div className="tnt-banner tnt-banner-error" role="alert">
          <p>{problemText(i18n, problem)}</p>
          <button type="button" className="tnt-button" onClick={controller.dismissProblem}>
            {i18n.t("connections.dismiss")}
          </button>
        </div>
      )}
      <p className="tnt-status tnt-connections-status" role="status">
        {waitingName
          ? i18n.t("connections.waiting", { app: waitingName })
          : notice
            ? i18n.t(`connections.done.${notice.kind}`, { app: notice.appName })
            : ""}
      </p>
      {entries.length === 0 ? (
        <p className="tnt-empty">{i18n.t("connections.empty")}</p>
      ) : (
        <ul className="tnt-app-list" aria-busy={controller.fetching}>
          {entries.map((entry) => (
            <AppRow
              key={entry.appId}
              i18n={i18n}
              entry={entry}
              controller={controller}
              onParameters={onParameters}
              onDisconnect={onDisconnect}
            />
          ))}
        </ul>
      )}
    </>
  );
}

function AppLogo({ entry }: { entry: AppEntry }) {
  const [failed, setFailed] = useState(false);
  const logoUrl = entry.app.logoUrl;
  if (logoUrl && !failed) {
    // The app's name is written right beside its logo: the image adds nothing to read out (WCAG H67).
    return <img className="tnt-app-logo" src={logoUrl} alt="" onError={() => setFailed(true)} />;
  }
  return (
    <span className="tnt-app-logo tnt-app-initial" aria-hidden="true">
      {entry.name.trim().charAt(0).toUpperCase() || "?"}
    </span>
  );
}

const STATUS_KEYS: Record<Connection["status"], MessageKey> = {
  pending: "connections.status.pending",
  connected: "connections.status.connected",
  needs_reauth: "connections.status.needs_reauth",
  error: "connections.status.error",
  disconnected: "connections.status.disconnected",
};

function AppRow({
  i18n,
  entry,
  controller,
  onParameters,
  onDisconnect,
}: {
  i18n: I18n;
  entry: AppEntry;
  controller: ConnectionsController;
  onParameters: (app: CatalogApp, replacing: Connection | null) => void;
  onDisconnect: (connection: Connection, name: string) => void;
}) {
  const { app, name } = entry;
  const active = entry.connections.filter((connection) => connection.status !== "disconnected");
  const busy = controller.busy.has(entry.appId) || controller.waitingFor === entry.appId;
  const connect = () => {
    if (app.authType === "oauth2") void controller.connectOAuth(app);
    else onParameters(app, null);
  };
  return (
    <li className="tnt-app">
      <div className="tnt-app-main">
        <AppLogo entry={entry} />
        <span className="tnt-app-name">{name}</span>
        {active.length === 0 && <span className="tnt-badge">{i18n.t("connections.status.none")}</span>}
        {controller.canWrite && active.length === 0 && (
          <button
            type="button"
            className="tnt-button tnt-button-primary tnt-button-small"
            aria-label={i18n.t("connections.connectLabel", { app: name })}
            disabled={busy}
            onClick={connect}
          >
            {i18n.t("connections.connect")}
          </button>
        )}
      </div>
      {entry.connections.length > 0 && (
        <ul className="tnt-connection-list">
          {entry.connections.map((connection) => (
            <ConnectionRow
              key={connection.id}
              i18n={i18n}
              entry={entry}
              connection={connection}
              controller={controller}
              onParameters={onParameters}
              onDisconnect={onDisconnect}
            />
          ))}
        </ul>
      )}
    </li>
  );
}

function ConnectionRow({
  i18n,
  entry,
  connection,
  controller,
  onParameters,
  onDisconnect,
}: {
  i18n: I18n;
  entry: AppEntry;
  connection: Connection;
  controller: ConnectionsController;
  onParameters: (app: CatalogApp, replacing: Connection | null) => void;
  onDisconnect: (connection: Connection, name: string) => void;
}) {
  const { app } = entry;
  // Buttons are named after the app ("Disconnect Stripe"); a second connection to it by its own name.
  const name = connection.name === entry.name ? entry.name : `${entry.name}: ${connection.name}`;
  const waiting = controller.waitingFor === entry.appId;
  const busy = controller.busy.has(connection.id) || controller.busy.has(entry.appId) || waiting;
  const status = connection.status;
  const statusKey =
    status === "pending" && !waiting && isStalePending(connection)
      ? "connections.status.stale"
      : STATUS_KEYS[status];
  const hint =
    status === "connected" && connection.connectedAt
      ? i18n.t("connections.connectedSince", { date: i18n.formatDate(connection.connectedAt) })
      : status === "needs_reauth"
        ? i18n.t("connections.error.needs_reauth", { app: entry.name })
        : status === "error"
          ? i18n.t("connections.errorHint")
          : null;
  const repair = () => {
    if (app.authType === "oauth2") void controller.reauthorize(connection);
    else onParameters(app, connection);
  };
  return (
    <li className="tnt-connection" data-status={status}>
      <span className={`tnt-badge tnt-badge-${status}`}>{i18n.t(statusKey)}</span>
      <span className="tnt-connection-text">
        {connection.name !== entry.name && <span className="tnt-connection-name">{connection.name}</span>}
        {hint && <span className="tnt-muted">{hint}</span>}
      </span>
      {controller.canWrite && (
        <span className="tnt-connection-actions">
          {(status === "needs_reauth" || status === "error") && (
            <button
              type="button"
              className="tnt-button tnt-button-primary tnt-button-small"
              aria-label={i18n.t("connections.reconnectLabel", { app: name })}
              disabled={busy}
              onClick={repair}
            >
              {i18n.t("connections.reconnect")}
            </button>
          )}
          {status === "pending" && !waiting && (
            <button
              type="button"
              className="tnt-button tnt-button-small"
              aria-label={i18n.t("connections.retryLabel", { app: name })}
              disabled={busy}
              onClick={repair}
            >
              {i18n.t("connections.retry")}
            </button>
          )}
          {status !== "disconnected" && (
            <button
              type="button"
              className="tnt-button tnt-button-danger tnt-button-small"
              aria-label={i18n.t("connections.disconnectLabel", { app: name })}
              disabled={busy}
              onClick={() => onDisconnect(connection, name)}
            >
              {i18n.t("connections.disconnect")}
            </button>
          )}
        </span>
      )}
    </li>
  );
}
