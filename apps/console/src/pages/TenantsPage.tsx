import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { createColumnHelper } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { issuesOf, type Tenant, trpc } from "../api";
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
import { usePrefs } from "../prefs";
import type { TenantsSearch } from "../search";

const PAGE_SIZE = 25;
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
          <button type="button" className="button button-primary" onClick={() => setCreateOpen(true)}>
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
              <button type="button" className="button button-primary" onClick={() => setCreateOpen(true)}>
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
      <CreateTenantDialog open={createOpen} onClose={() => setCreateOpen(false)} />
    </>
  );
}

interface CreateValues {
  name: string;
  internalId: string;
  planKey: string;
  kind: "standard" | "enterprise" | "trial";
}

function CreateTenantDialog(props: { open: boolean; onClose: () => void }) {
  const { t } = usePrefs();
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const create = trpc.tenants.create.useMutation();
  const schema = trpc.fields.getSchema.useQuery(undefined, { enabled: props.open });
  const form = useForm<CreateValues>({
    defaultValues: { name: "", internalId: "", planKey: "", kind: "standard" },
  });
  // A tenant is created valid: the schema's required fields are asked for up front.
  const requiredFields = (schema.data?.schema.required ?? []).flatMap((name) => {
    const field = schema.data?.schema.properties[name];
    return field && !("writeOnly" in field && field.writeOnly) ? [{ name, field }] : [];
  });
  const [fieldValues, setFieldValues] = useState<Record<string, string>>({});
  const { errors } = form.formState;
  const [problem, setProblem] = useState<string | null>(null);

  const close = () => {
    form.reset();
    setProblem(null);
    props.onClose();
  };

  const submit = form.handleSubmit(async (values) => {
    setProblem(null);
    try {
      const tenant = await create.mutateAsync({
        name: values.name,
        kind: values.kind,
        ...(values.internalId.trim() ? { internalId: values.internalId.trim() } : {}),
        ...(values.planKey.trim() ? { planKey: values.planKey.trim() } : {}),
        ...(requiredFields.length > 0
          ? {
              fields: Object.fromEntries(
                requiredFields.map(({ name, field }) => {
                  const raw = fieldValues[name] ?? "";
                  const value =
                    field.type === "number" || field.type === "integer"
                      ? Number(raw)
                      : field.type === "boolean"
                        ? raw === "true"
                        : raw;
                  return [name, value];
                }),
              ),
            }
          : {}),
      });
      await utils.tenants.list.invalidate();
      close();
      await navigate({ to: "/tenants/$tenantId/profile", params: { tenantId: tenant.id } });
    } catch (error) {
      const issues = issuesOf(error);
      const unplaced: string[] = [];
      for (const issue of issues) {
        const name = issue.path as keyof CreateValues;
        if (name in values) form.setError(name, { message: issue.message });
        else unplaced.push(`${issue.path}: ${issue.message}`);
      }
      if (issues.length === 0) setProblem((error as Error).message);
      else if (unplaced.length > 0) setProblem(unplaced.join("; "));
    }
  });

  const described = (name: keyof CreateValues) => (errors[name] ? `create-${name}-error` : undefined);
  const error = (name: keyof CreateValues) =>
    errors[name] && (
      <p id={`create-${name}-error`} className="field-error">
        {errors[name]?.message}
      </p>
    );

  return (
    <Dialog
      open={props.open}
      title={t("tenants.create")}
      onClose={close}
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            {t("action.cancel")}
          </button>
          <button
            type="submit"
            form="create-tenant"
            className="button button-primary"
            disabled={create.isPending}
          >
            {t("tenants.createSubmit")}
          </button>
        </>
      }
    >
      <form id="create-tenant" onSubmit={submit} noValidate>
        {problem && <Banner tone="error">{problem}</Banner>}
        <div className="field">
          <label htmlFor="create-name">{t("tenant.name")}</label>
          <input
            id="create-name"
            aria-invalid={Boolean(errors.name)}
            aria-describedby={described("name")}
            {...form.register("name", { required: t("form.required") })}
          />
          {error("name")}
        </div>
        <div className="field">
          <label htmlFor="create-internalId">{t("tenant.internalId")}</label>
          <input
            id="create-internalId"
            aria-describedby={["create-internalId-hint", described("internalId")].filter(Boolean).join(" ")}
            {...form.register("internalId")}
          />
          <p id="create-internalId-hint" className="field-hint">
            <WithCode text={t("tenant.internalIdHint")} />
          </p>
          {error("internalId")}
        </div>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="create-kind">{t("tenant.kind")}</label>
            <select id="create-kind" {...form.register("kind")}>
              {(["standard", "enterprise", "trial"] as const).map((kind) => (
                <option key={kind} value={kind}>
                  {t(`kind.${kind}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="create-planKey">{t("tenant.planKey")}</label>
            <input
              id="create-planKey"
              aria-describedby={described("planKey")}
              {...form.register("planKey")}
            />
            {error("planKey")}
          </div>
        </div>
        {requiredFields.map(({ name, field }) => {
          const id = `create-field-${name}`;
          const options = "enum" in field && field.enum ? field.enum.map(String) : null;
          const onChange = (value: string) => setFieldValues({ ...fieldValues, [name]: value });
          return (
            <div className="field" key={name}>
              <label htmlFor={id}>{field.title ?? name}</label>
              {options ? (
                <select
                  id={id}
                  value={fieldValues[name] ?? ""}
                  onChange={(event) => onChange(event.target.value)}
                >
                  <option value="">—</option>
                  {options.map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={id}
                  value={fieldValues[name] ?? ""}
                  onChange={(event) => onChange(event.target.value)}
                />
              )}
            </div>
          );
        })}
      </form>
    </Dialog>
  );
}
