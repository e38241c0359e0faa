import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { createColumnHelper } from "@tanstack/react-table";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { type Tenant, trpc } from "../api";
import { DataTable, type features } from "../components/DataTable";
import {
  Badge,
  Banner,
  Dialog,
  EmptyState,
  ErrorState,
  formatDateTime,
  Loading,
  PageHeader,
  WithCode,
} from "../components/ui";
import { TENANTS_PAGE_SIZE } from "../first-requests";
import { usePrefs } from "../prefs";
import type { TenantsSearch } from "../search";

const CreateTenantDialog = lazy(() =>
  import("./CreateTenantDialog").then((module) => ({ default: module.CreateTenantDialog })),
);

const PAGE_SIZE = TENANTS_PAGE_SIZE;
const columns = createColumnHelper<typeof features, Tenant>();
export const STATUS_TONE: Record<string, string> = {
  active: "success",
  suspended: "warning",
  archived: "neutral",
};

/** Tenants: search, filters and keyset pages, all in the URL so every view can be linked to. */
export function TenantsPage() {
  const { t, language } = usePrefs();
  const search = useSearch({ from: "/app/tenants" });
  const navigate = useNavigate({ from: "/tenants" });
  const [query, setQuery] = useState(search.q ?? "");
  const [createOpen, setCreateOpen] = useState(false);
  const [createUsed, setCreateUsed] = useState(false);
  const openCreate = () => {
    setCreateUsed(true);
    setCreateOpen(true);
  };
  // Cursors of the pages before this one, so "Previous" works; a deep link starts a fresh trail.
  const [trail, setTrail] = useState<(string | undefined)[]>([]);

  const setSearch = (next: Partial<TenantsSearch>, keepCursor = false) => {
    if (!keepCursor) setTrail([]);
    void navigate({
      search: (current) => ({ ...current, ...next, ...(keepCursor ? {} : { cursor: undefined }) }),
    });
  };

  // Typing does not fire a request per key: the search applies once the operator pauses.
  useEffect(() => {
    const trimmed = query.trim() || undefined;
    if (trimmed === search.q) return;
    const timer = setTimeout(() => setSearch({ q: trimmed }), 250);
    return () => clearTimeout(timer);
  });

  const input = {
    limit: PAGE_SIZE,
    ...(search.q ? { q: search.q } : {}),
    ...(search.status ? { status: search.status } : {}),
    ...(search.kind ? { kind: search.kind } : {}),
    ...(search.plan ? { planKey: search.plan } : {}),
    ...(search.cursor ? { cursor: search.cursor } : {}),
  };
  const list = trpc.tenants.list.useQuery(input, { placeholderData: (previous) => previous });

  const tableColumns = useMemo(
    () =>
      columns.columns([
        columns.accessor("name", {
          header: () => t("tenants.col.name"),
          cell: ({ row }) => (
            <div className="cell-main">
              <Link to="/tenants/$tenantId/profile" params={{ tenantId: row.original.id }} className="strong">
                {row.original.name}
              </Link>
              <span className="muted small">{row.original.slug}</span>
            </div>
          ),
        }),
        columns.accessor("internalId", {
          header: () => t("tenants.col.internalId"),
          cell: ({ getValue }) => <code>{getValue()}</code>,
        }),
        columns.accessor("kind", {
          header: () => t("tenants.col.kind"),
          cell: ({ getValue }) => t(`kind.${getValue()}`),
        }),
        columns.accessor("planKey", {
          header: () => t("tenants.col.plan"),
          cell: ({ getValue }) => getValue() ?? <span className="muted">—</span>,
        }),
        columns.accessor("status", {
          header: () => t("tenants.col.status"),
          cell: ({ getValue }) => <Badge tone={STATUS_TONE[getValue()]}>{t(`status.${getValue()}`)}</Badge>,
        }),
        columns.accessor("createdAt", {
          header: () => t("tenants.col.created"),
          cell: ({ getValue }) => formatDateTime(getValue(), language),
        }),
      ]),
    [t, language],
  );

  const filtered = Boolean(search.q || search.status || search.kind || search.plan);
  const items = list.data?.items ?? [];

  return (
    <>
      <PageHeader
        title={t("tenants.title")}
        description={t("tenants.description")}
        actions={
          <button type="button" className="button button-primary" onClick={openCreate}>
            {t("tenants.create")}
          </button>
        }
      />
      <search className="filters" aria-label={t("tenants.filters")}>
        <div className="field field-inline field-grow">
          <label htmlFor="tenants-q">{t("tenants.search")}</label>
          <input
            id="tenants-q"
            type="search"
            value={query}
            placeholder={t("tenants.searchPlaceholder")}
            onChange={(event) => setQuery(event.target.value)}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="tenants-status">{t("tenants.col.status")}</label>
          <select
            id="tenants-status"
            value={search.status ?? ""}
            onChange={(event) =>
              setSearch({ status: (event.target.value || undefined) as TenantsSearch["status"] })
            }
          >
            <option value="">{t("filter.any")}</option>
            {(["active", "suspended", "archived"] as const).map((status) => (
              <option key={status} value={status}>
                {t(`status.${status}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="tenants-kind">{t("tenants.col.kind")}</label>
          <select
            id="tenants-kind"
            value={search.kind ?? ""}
            onChange={(event) =>
              setSearch({ kind: (event.target.value || undefined) as TenantsSearch["kind"] })
            }
          >
            <option value="">{t("filter.any")}</option>
            {(["standard", "enterprise", "trial"] as const).map((kind) => (
              <option key={kind} value={kind}>
                {t(`kind.${kind}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="tenants-plan">{t("tenants.col.plan")}</label>
          <input
            id="tenants-plan"
            defaultValue={search.plan ?? ""}
            placeholder={t("tenants.planPlaceholder")}
            onKeyDown={(event) => {
              if (event.key === "Enter") setSearch({ plan: event.currentTarget.value.trim() || undefined });
            }}
            onBlur={(event) => setSearch({ plan: event.currentTarget.value.trim() || undefined })}
          />
        </div>
        {filtered && (
          <button
            type="button"
            className="button button-ghost"
            onClick={() => {
              setQuery("");
              setSearch({ q: undefined, status: undefined, kind: undefined, plan: undefined });
            }}
          >
            {t("filter.clear")}
          </button>
        )}
      </search>

      {list.isPending && <Loading rows={6} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
      {list.isSuccess && items.length === 0 && (
        <EmptyState
          title={filtered ? t("tenants.noMatch") : t("tenants.empty")}
          action={
            filtered ? undefined : (
              <button type="button" className="button button-primary" onClick={openCreate}>
                {t("tenants.create")}
              </button>
            )
          }
        />
      )}
      {items.length > 0 && (
        <>
          <DataTable
            caption={t("tenants.title")}
            rows={items}
            columns={tableColumns}
            rowId={(tenant) => tenant.id}
            busy={list.isFetching}
          />
          <nav className="pager" aria-label={t("pager.label")}>
            <button
              type="button"
              className="button"
              disabled={!search.cursor}
              onClick={() => {
                const previous = trail[trail.length - 1];
                setTrail(trail.slice(0, -1));
                void navigate({ search: (current) => ({ ...current, cursor: previous }) });
              }}
            >
              {t("pager.previous")}
            </button>
            <button
              type="button"
              className="button"
              disabled={!list.data?.nextCursor}
              onClick={() => {
                setTrail([...trail, search.cursor]);
                void navigate({
                  search: (current) => ({ ...current, cursor: list.data?.nextCursor ?? undefined }),
                });
              }}
            >
              {t("pager.next")}
            </button>
          </nav>
        </>
      )}
      {/* Its own chunk (with the form library), loaded when first opened, then kept mounted. */}
      {createUsed && (
        <Suspense fallback={null}>
          <CreateTenantDialog open={createOpen} onClose={() => setCreateOpen(false)} />
        </Suspense>
      )}
    </>
  );
}
