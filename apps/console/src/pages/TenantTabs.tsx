import { useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { createColumnHelper } from "@tanstack/react-table";
import { TENANT_ACTIVITY_ACTIONS } from "@tenantry/contracts/activity-actions";
import { ConnectionUI, MemberTable, TenantFieldsForm, UsageMeter } from "@tenantry/widgets";
import { useMemo, useState } from "react";
import { issuesOf, type Outputs, trpc } from "../api";
import { DataTable, type features } from "../components/DataTable";
import { OperatorWidgets } from "../components/OperatorWidgets";
import {
  Badge,
  Banner,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  formatDateTime,
  Loading,
} from "../components/ui";
import { usePrefs } from "../prefs";
import { activityActionOf } from "../search";

const useTenantId = () => useParams({ strict: false }).tenantId as string;

export function TenantFieldsTab() {
  const tenantId = useTenantId();
  const { t } = usePrefs();
  return (
    <OperatorWidgets tenantId={tenantId}>
      <p className="muted tab-intro">{t("fieldsTab.intro")}</p>
      <TenantFieldsForm title={t("tab.fields")} />
    </OperatorWidgets>
  );
}

export function TenantMembersTab() {
  const tenantId = useTenantId();
  const { t } = usePrefs();
  return (
    <OperatorWidgets tenantId={tenantId}>
      <MemberTable title={t("tab.members")} />
    </OperatorWidgets>
  );
}

export function TenantUsageTab() {
  const tenantId = useTenantId();
  return (
    <OperatorWidgets tenantId={tenantId}>
      <UsageMeter />
    </OperatorWidgets>
  );
}

/** Write-only: the operator can set, replace or clear credentials, never read them. */
export function TenantCredentialsTab() {
  const tenantId = useTenantId();
  const { t, language } = usePrefs();
  const tenant = trpc.tenants.get.useQuery({ id: tenantId });
  const utils = trpc.useUtils();
  const patch = trpc.tenants.patch.useMutation();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirmClear, setConfirmClear] = useState(false);

  if (tenant.isPending) return <Loading rows={3} />;
  if (tenant.isError) return <ErrorState error={tenant.error} onRetry={() => tenant.refetch()} />;
  const data = tenant.data;

  const save = async (credentials: Record<string, unknown> | null) => {
    setProblem(null);
    setNotice(null);
    try {
      const updated = await patch.mutateAsync({ id: data.id, credentials: credentials as never });
      utils.tenants.get.setData({ id: data.id }, updated);
      await utils.activity.listForTenant.invalidate();
      setText("");
      setNotice(credentials ? t("credentials.saved") : t("credentials.cleared"));
      setConfirmClear(false);
    } catch (error) {
      setProblem(issuesOf(error)[0]?.message ?? (error as Error).message);
    }
  };

  return (
    <section className="card" aria-labelledby="credentials-title">
      <h2 id="credentials-title" className="card-title">
        {t("tab.credentials")}
      </h2>
      <p className="muted">{t("credentials.intro")}</p>
      <p>
        {data.hasCredentials ? (
          <Badge tone="success">
            {t("credentials.set", { when: formatDateTime(data.credentialsUpdatedAt, language) })}
          </Badge>
        ) : (
          <Badge>{t("credentials.none")}</Badge>
        )}
      </p>
      {notice && <Banner tone="success">{notice}</Banner>}
      {problem && <Banner tone="error">{problem}</Banner>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            setProblem(t("credentials.badJson"));
            return;
          }
          if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
            setProblem(t("credentials.badJson"));
            return;
          }
          void save(parsed as Record<string, unknown>);
        }}
      >
        <div className="field">
          <label htmlFor="credentials-json">
            {data.hasCredentials ? t("credentials.replace") : t("credentials.setLabel")}
          </label>
          <textarea
            id="credentials-json"
            className="mono"
            rows={6}
            autoComplete="off"
            spellCheck={false}
            placeholder='{"apiToken": "…"}'
            value={text}
            aria-describedby="credentials-hint"
            onChange={(event) => setText(event.target.value)}
          />
          <p id="credentials-hint" className="field-hint">
            {t("credentials.hint")}
          </p>
        </div>
        <div className="form-actions">
          {data.hasCredentials && (
            <button type="button" className="button button-danger" onClick={() => setConfirmClear(true)}>
              {t("credentials.clear")}
            </button>
          )}
          <button type="submit" className="button button-primary" disabled={!text.trim() || patch.isPending}>
            {data.hasCredentials ? t("credentials.replace") : t("credentials.setLabel")}
          </button>
        </div>
      </form>
      <ConfirmDialog
        open={confirmClear}
        title={t("credentials.clearTitle")}
        body={t("credentials.clearBody")}
        confirmLabel={t("credentials.clear")}
        danger
        busy={patch.isPending}
        onConfirm={() => void save(null)}
        onClose={() => setConfirmClear(false)}
      />
    </section>
  );
}

/**
 * The tenant's connections through the `ConnectionUI` widget in operator mode: the operator sees the
 * catalog with the tenant's status per app and can connect (OAuth popup on the console's own
 * origin, or the app's parameters form), reconnect and disconnect for the tenant.
 */
export function TenantConnectionsTab() {
  const tenantId = useTenantId();
  const { t } = usePrefs();
  return (
    <OperatorWidgets tenantId={tenantId}>
      <ConnectionUI title={t("tab.connections")} />
    </OperatorWidgets>
  );
}

type Activity = Outputs["activity"]["listForTenant"]["items"][number];
const activityColumns = createColumnHelper<typeof features, Activity>();
/** The filter offers exactly the actions the server records on a tenant, grouped by domain. */
const ACTION_GROUPS = new Map<string, string[]>();
for (const action of TENANT_ACTIVITY_ACTIONS) {
  const domain = action.slice(0, action.indexOf("."));
  ACTION_GROUPS.set(domain, [...(ACTION_GROUPS.get(domain) ?? []), action]);
}

export function TenantActivityTab() {
  const tenantId = useTenantId();
  const { t, language } = usePrefs();
  const search = useSearch({ from: "/app/tenants/$tenantId/activity" });
  const navigate = useNavigate({ from: "/tenants/$tenantId/activity" });
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = trpc.activity.listForTenant.useQuery(
    {
      tenantId,
      limit: 20,
      ...(search.action ? { action: search.action } : {}),
      ...(cursor ? { cursor } : {}),
    },
    { placeholderData: (previous) => previous },
  );
  const operators = trpc.operators.list.useQuery(undefined, { staleTime: 60_000 });
  const apiKeys = trpc.apiKeys.list.useQuery(undefined, { staleTime: 60_000 });
  // Actors by name: operators by email, API keys by the name they were given.
  const names = useMemo(
    () =>
      new Map([
        ...(operators.data?.items ?? []).map((operator) => [operator.id, operator.email] as const),
        ...(apiKeys.data?.items ?? []).map((key) => [key.id, key.name] as const),
      ]),
    [operators.data, apiKeys.data],
  );
  const columns = useMemo(
    () =>
      activityColumns.columns([
        activityColumns.accessor("createdAt", {
          header: () => t("activity.col.when"),
          cell: ({ getValue }) => <span className="nowrap">{formatDateTime(getValue(), language)}</span>,
        }),
        activityColumns.accessor("action", {
          header: () => t("activity.col.action"),
          cell: ({ getValue }) => <code>{getValue()}</code>,
        }),
        activityColumns.accessor("actor", {
          header: () => t("activity.col.actor"),
          cell: ({ getValue }) => (
            <span>
              <Badge>{t(`actor.${getValue().type}` as "actor.operator")}</Badge>{" "}
              <span className="small">{names.get(getValue().id) ?? getValue().id}</span>
            </span>
          ),
        }),
        activityColumns.accessor("changes", {
          header: () => t("activity.col.changes"),
          cell: ({ getValue }) => {
            const changes = getValue();
            const keys = Object.keys((changes.after ?? changes.before ?? {}) as object);
            if (keys.length === 0) return <span className="muted">—</span>;
            // A creation lists every field; its summary says how many instead.
            const summary = changes.before
              ? keys.join(", ")
              : t("activity.fieldsSet", { count: keys.length });
            return (
              <details>
                <summary>{summary}</summary>
                <pre className="mono small">{JSON.stringify(changes, null, 2)}</pre>
              </details>
            );
          },
        }),
      ]),
    [t, language, names],
  );
  return (
    <section aria-labelledby="activity-title">
      <div className="section-head">
        <h2 id="activity-title" className="section-title">
          {t("tab.activity")}
        </h2>
        <div className="field field-inline">
          <label htmlFor="activity-action">{t("activity.filter")}</label>
          <select
            id="activity-action"
            value={search.action ?? ""}
            onChange={(event) => {
              setCursors([undefined]);
              void navigate({ search: { action: activityActionOf(event.target.value) } });
            }}
          >
            <option value="">{t("filter.any")}</option>
            {[...ACTION_GROUPS].map(([domain, actions]) => (
              <optgroup key={domain} label={domain}>
                {actions.map((action) => (
                  <option key={action} value={action}>
                    {action}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
      </div>
      {list.isPending && <Loading rows={5} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
      {list.isSuccess && list.data.items.length === 0 && <EmptyState title={t("activity.empty")} />}
      {list.isSuccess && list.data.items.length > 0 && (
        <>
          <DataTable
            caption={t("tab.activity")}
            rows={list.data.items}
            columns={columns}
            rowId={(entry) => entry.id}
            busy={list.isFetching}
          />
          <nav className="pager" aria-label={t("pager.label")}>
            <button
              type="button"
              className="button"
              disabled={cursors.length < 2}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              {t("pager.previous")}
            </button>
            <button
              type="button"
              className="button"
              disabled={!list.data.nextCursor}
              onClick={() => setCursors([...cursors, list.data.nextCursor ?? undefined])}
            >
              {t("pager.next")}
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
