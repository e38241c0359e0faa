import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { type Outputs, trpc } from "../api";
import { DataTable, type features } from "../components/DataTable";
import {
  Badge,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  formatDateTime,
  Loading,
  PageHeader,
  ShownOnce,
} from "../components/ui";
import { usePrefs } from "../prefs";

type ApiKey = Outputs["apiKeys"]["list"]["items"][number];
const columns = createColumnHelper<typeof features, ApiKey>();

/** Settings → API keys: create (the key is shown once), see when each was last used, revoke. */
export function ApiKeysPage() {
  const { t, language } = usePrefs();
  const list = trpc.apiKeys.list.useQuery();
  const create = trpc.apiKeys.create.useMutation();
  const revoke = trpc.apiKeys.revoke.useMutation();
  const utils = trpc.useUtils();
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const form = useForm<{ name: string }>({ defaultValues: { name: "" } });

  const tableColumns = useMemo(
    () =>
      columns.columns([
        columns.accessor("name", {
          header: () => t("keys.col.name"),
          cell: ({ getValue }) => <span className="strong">{getValue()}</span>,
        }),
        columns.accessor("prefix", {
          header: () => t("keys.col.prefix"),
          cell: ({ getValue }) => <code>{getValue()}…</code>,
        }),
        columns.accessor("createdAt", {
          header: () => t("tenants.col.created"),
          cell: ({ getValue }) => formatDateTime(getValue(), language),
        }),
        columns.accessor("lastUsedAt", {
          header: () => t("keys.col.lastUsed"),
          cell: ({ getValue }) =>
            getValue() ? (
              formatDateTime(getValue(), language)
            ) : (
              <span className="muted">{t("keys.never")}</span>
            ),
        }),
        columns.display({
          id: "actions",
          header: () => <span className="visually-hidden">{t("col.actions")}</span>,
          cell: ({ row }) =>
            row.original.revokedAt ? (
              <Badge>{t("keys.revoked")}</Badge>
            ) : (
              <button
                type="button"
                className="button button-small button-danger"
                onClick={() => setRevoking(row.original)}
              >
                {t("keys.revokeNamed", { name: row.original.name })}
              </button>
            ),
        }),
      ]),
    [t, language],
  );

  return (
    <>
      <PageHeader title={t("nav.apiKeys")} description={t("keys.description")} />
      <form
        className="card row"
        noValidate
        onSubmit={form.handleSubmit(async ({ name }) => {
          const answer = await create.mutateAsync({ name });
          setCreated({ name: answer.name, key: answer.key });
          form.reset();
          await utils.apiKeys.list.invalidate();
        })}
      >
        <div className="field field-inline field-grow">
          <label htmlFor="key-name">{t("keys.name")}</label>
          <input
            id="key-name"
            placeholder={t("keys.namePlaceholder")}
            {...form.register("name", { required: true })}
          />
        </div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {t("keys.create")}
        </button>
      </form>
      {created && <ShownOnce label={t("keys.newKey", { name: created.name })} value={created.key} />}
      {list.isPending && <Loading rows={3} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
      {list.data && list.data.items.length === 0 && <EmptyState title={t("keys.empty")} />}
      {list.data && list.data.items.length > 0 && (
        <DataTable
          caption={t("nav.apiKeys")}
          rows={list.data.items}
          columns={tableColumns}
          rowId={(key) => key.id}
        />
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={t("keys.revokeTitle", { name: revoking?.name ?? "" })}
        body={t("keys.revokeBody")}
        confirmLabel={t("action.revoke")}
        danger
        busy={revoke.isPending}
        error={revoke.error}
        onConfirm={async () => {
          if (!revoking) return;
          await revoke.mutateAsync({ id: revoking.id });
          setRevoking(null);
          await utils.apiKeys.list.invalidate();
        }}
        onClose={() => setRevoking(null)}
      />
    </>
  );
}
