import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { createColumnHelper } from "@tanstack/react-table";
import { isId } from "@tenantry/contracts/ids";
import { useEffect, useMemo, useState } from "react";
import { type Outputs, trpc } from "../api";
import { DataTable, type features } from "../components/DataTable";
import { Badge, Banner, EmptyState, ErrorState, formatDateTime, Loading, PageHeader } from "../components/ui";
import { usePrefs } from "../prefs";
import { SUBSCRIBABLE_EVENT_TYPES } from "./WebhooksPage";

type TenantryEvent = Outputs["events"]["list"]["items"][number];
const columns = createColumnHelper<typeof features, TenantryEvent>();
const PAGE_SIZE = 50;

/**
 * The event log: every announced change, oldest first as hosts that pull read it, filtered by type
 * and tenant (kept in the URL), one keyset page after another ("Load more" asks for events after
 * the last one shown).
 */
export function EventsPage() {
  const { t, language } = usePrefs();
  const search = useSearch({ from: "/app/events" });
  const navigate = useNavigate({ from: "/events" });
  const utils = trpc.useUtils();
  const filters = {
    limit: PAGE_SIZE,
    ...(search.type ? { types: [search.type] } : {}),
    ...(search.tenantId ? { tenantId: search.tenantId } : {}),
  };
  const first = trpc.events.list.useQuery(filters);
  const [more, setMore] = useState<{ items: TenantryEvent[]; hasMore: boolean } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [tenantText, setTenantText] = useState(search.tenantId ?? "");
  const tenantInvalid = tenantText.trim() !== "" && !isId("tenant", tenantText.trim());

  // New filters start from the first page again.
  const filterKey = `${search.type ?? ""}|${search.tenantId ?? ""}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: resets when the filters change
  useEffect(() => {
    setMore(null);
    setMoreError(null);
  }, [filterKey]);

  const rows = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const hasMore = more ? more.hasMore : (first.data?.hasMore ?? false);

  const loadMore = async () => {
    const last = rows[rows.length - 1];
    if (!last) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await utils.events.list.fetch({ ...filters, after: last.id });
      setMore((previous) => ({ items: [...(previous?.items ?? []), ...page.items], hasMore: page.hasMore }));
    } catch (error) {
      setMoreError(error);
    } finally {
      setLoadingMore(false);
    }
  };

  const tableColumns = useMemo(
    () =>
      columns.columns([
        columns.accessor("createdAt", {
          header: () => t("activity.col.when"),
          cell: ({ getValue }) => <span className="nowrap">{formatDateTime(getValue(), language)}</span>,
        }),
        columns.accessor("type", {
          header: () => t("events.col.type"),
          cell: ({ getValue }) => <code>{getValue()}</code>,
        }),
        columns.accessor("tenantId", {
          header: () => t("events.col.tenant"),
          cell: ({ getValue }) => {
            const tenantId = getValue();
            if (!tenantId) return <span className="muted">{t("events.workspace")}</span>;
            return (
              <Link to="/tenants/$tenantId/profile" params={{ tenantId }} className="small break-anywhere">
                {tenantId}
              </Link>
            );
          },
        }),
        columns.accessor("actor", {
          header: () => t("activity.col.actor"),
          cell: ({ getValue }) => (
            <span className="cell-main">
              <Badge>{getValue().type}</Badge>
              <span className="small break-anywhere">{getValue().id}</span>
            </span>
          ),
        }),
        columns.accessor("data", {
          header: () => t("events.col.data"),
          cell: ({ row }) => (
            <details>
              <summary>
                <code>{row.original.id}</code>
              </summary>
              <pre className="mono small">{JSON.stringify(row.original.data, null, 2)}</pre>
            </details>
          ),
        }),
      ]),
    [t, language],
  );

  return (
    <>
      <PageHeader title={t("nav.events")} description={t("events.description")} />
      <form
        className="filters card"
        aria-label={t("events.filters")}
        onSubmit={(event) => {
          event.preventDefault();
          if (tenantInvalid) return;
          void navigate({ search: { ...search, tenantId: tenantText.trim() || undefined } });
        }}
      >
        <div className="field">
          <label htmlFor="events-type">{t("events.col.type")}</label>
          <select
            id="events-type"
            value={search.type ?? ""}
            onChange={(event) =>
              void navigate({
                search: {
                  ...search,
                  type: SUBSCRIBABLE_EVENT_TYPES.find((type) => type === event.target.value),
                },
              })
            }
          >
            <option value="">{t("filter.any")}</option>
            {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-grow">
          <label htmlFor="events-tenant">{t("events.tenantFilter")}</label>
          <input
            id="events-tenant"
            className="mono"
            placeholder="tenant_…"
            value={tenantText}
            aria-invalid={tenantInvalid}
            aria-describedby={tenantInvalid ? "events-tenant-error" : undefined}
            onChange={(event) => setTenantText(event.target.value)}
          />
          {tenantInvalid && (
            <p id="events-tenant-error" className="field-error">
              {t("events.badTenantId")}
            </p>
          )}
        </div>
        <button type="submit" className="button">
          {t("events.apply")}
        </button>
        {(search.type || search.tenantId) && (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => {
              setTenantText("");
              void navigate({ search: {} });
            }}
          >
            {t("filter.clear")}
          </button>
        )}
      </form>
      {first.isPending && <Loading rows={4} />}
      {first.isError && <ErrorState error={first.error} onRetry={() => first.refetch()} />}
      {first.isSuccess && rows.length === 0 && <EmptyState title={t("events.empty")} />}
      {rows.length > 0 && (
        <DataTable
          caption={t("nav.events")}
          rows={rows}
          columns={tableColumns}
          rowId={(event) => event.id}
          busy={first.isFetching || loadingMore}
        />
      )}
      {moreError ? <ErrorState error={moreError} onRetry={() => void loadMore()} /> : null}
      {hasMore && (
        <div className="pager">
          <button type="button" className="button" disabled={loadingMore} onClick={() => void loadMore()}>
            {t("events.loadMore")}
          </button>
        </div>
      )}
      {first.isSuccess && !hasMore && rows.length > 0 && <Banner tone="info">{t("events.end")}</Banner>}
    </>
  );
}
