import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { issuesText, type Outputs, trpc } from "../api";
import { DataTable, type features } from "../components/DataTable";
import {
  Badge,
  Banner,
  ConfirmDialog,
  Dialog,
  EmptyState,
  ErrorState,
  Loading,
  PageHeader,
} from "../components/ui";
import { usePrefs } from "../prefs";

type TokenEndpointAuthMethod = App["oauth2"] extends infer O
  ? O extends { tokenEndpointAuthMethod: infer M }
    ? M
    : never
  : never;

type App = Outputs["apps"]["list"]["items"][number];
const columns = createColumnHelper<typeof features, App>();

interface AppValues {
  key: string;
  name: string;
  authType: "oauth2" | "api_key" | "basic";
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  scopes: string;
  parametersSchema: string;
}

/** Settings → Apps: the catalog tenants connect to (OAuth2 settings; the client secret is write-only). */
export function AppsPage() {
  const { t } = usePrefs();
  const apps = trpc.apps.list.useQuery();
  const utils = trpc.useUtils();
  const archive = trpc.apps.archive.useMutation();
  const [creating, setCreating] = useState(false);
  const [archiving, setArchiving] = useState<App | null>(null);
  const tableColumns = useMemo(
    () =>
      columns.columns([
        columns.accessor("name", {
          header: () => t("tenants.col.name"),
          cell: ({ row }) => (
            <div className="cell-main">
              <span className="strong">{row.original.name}</span>
              <code className="muted">{row.original.key}</code>
            </div>
          ),
        }),
        columns.accessor("authType", {
          header: () => t("apps.authType"),
          cell: ({ getValue }) => <Badge>{getValue()}</Badge>,
        }),
        columns.accessor("oauth2", {
          header: () => t("apps.oauth2"),
          cell: ({ getValue }) => {
            const oauth2 = getValue();
            if (!oauth2) return <span className="muted">—</span>;
            return (
              <span className="small">
                <code>{oauth2.clientId}</code> ·{" "}
                {oauth2.tokenEndpointAuthMethod === "none"
                  ? t("apps.publicClient")
                  : oauth2.hasClientSecret
                    ? t("apps.secretSet")
                    : t("apps.secretMissing")}{" "}
                · {oauth2.scopes.join(" ") || "—"}
              </span>
            );
          },
        }),
        columns.display({
          id: "actions",
          header: () => <span className="visually-hidden">{t("col.actions")}</span>,
          cell: ({ row }) => (
            <button
              type="button"
              className="button button-small button-danger"
              onClick={() => setArchiving(row.original)}
            >
              {t("apps.archiveNamed", { name: row.original.name })}
            </button>
          ),
        }),
      ]),
    [t],
  );
  return (
    <>
      <PageHeader
        title={t("nav.apps")}
        description={t("apps.description")}
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            {t("apps.create")}
          </button>
        }
      />
      {apps.isPending && <Loading rows={3} />}
      {apps.isError && <ErrorState error={apps.error} onRetry={() => apps.refetch()} />}
      {apps.data && apps.data.items.length === 0 && (
        <EmptyState title={t("apps.empty")}>{t("apps.emptyHint")}</EmptyState>
      )}
      {apps.data && apps.data.items.length > 0 && (
        <DataTable
          caption={t("nav.apps")}
          rows={apps.data.items}
          columns={tableColumns}
          rowId={(app) => app.id}
        />
      )}
      {creating && <CreateAppDialog onClose={() => setCreating(false)} />}
      <ConfirmDialog
        open={archiving !== null}
        title={t("apps.archiveTitle", { name: archiving?.name ?? "" })}
        body={t("apps.archiveBody")}
        confirmLabel={t("apps.archive")}
        danger
        busy={archive.isPending}
        error={archive.error}
        onConfirm={async () => {
          if (!archiving) return;
          await archive.mutateAsync({ id: archiving.id });
          setArchiving(null);
          await utils.apps.list.invalidate();
        }}
        onClose={() => setArchiving(null)}
      />
    </>
  );
}

function CreateAppDialog(props: { onClose: () => void }) {
  const { t } = usePrefs();
  const utils = trpc.useUtils();
  const create = trpc.apps.create.useMutation();
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<AppValues>({
    defaultValues: {
      key: "",
      name: "",
      authType: "oauth2",
      authorizeUrl: "",
      tokenUrl: "",
      clientId: "",
      clientSecret: "",
      tokenEndpointAuthMethod: "client_secret_basic",
      scopes: "",
      parametersSchema: "",
    },
  });
  const authType = form.watch("authType");
  const publicClient = form.watch("tokenEndpointAuthMethod") === "none";
  const submit = form.handleSubmit(async (values) => {
    setProblem(null);
    let parametersSchema: Record<string, unknown> | undefined;
    if (values.parametersSchema.trim()) {
      try {
        parametersSchema = JSON.parse(values.parametersSchema);
      } catch {
        setProblem(t("profile.badJson"));
        return;
      }
    }
    try {
      await create.mutateAsync({
        key: values.key,
        name: values.name,
        authType: values.authType,
        ...(values.authType === "oauth2"
          ? {
              oauth2: {
                authorizeUrl: values.authorizeUrl,
                tokenUrl: values.tokenUrl,
                clientId: values.clientId,
                tokenEndpointAuthMethod: values.tokenEndpointAuthMethod,
                // A public client has no secret to send; the service refuses one.
                ...(values.tokenEndpointAuthMethod === "none" ? {} : { clientSecret: values.clientSecret }),
                scopes: values.scopes.split(/[\s,]+/).filter(Boolean),
                pkce: true,
              },
            }
          : {}),
        ...(parametersSchema ? { parametersSchema } : {}),
      });
      await utils.apps.list.invalidate();
      props.onClose();
    } catch (error) {
      setProblem(issuesText(error));
    }
  });
  const input = (name: keyof AppValues, label: string, type = "text") => (
    <div className="field">
      <label htmlFor={`app-${name}`}>{label}</label>
      <input id={`app-${name}`} type={type} autoComplete="off" {...form.register(name)} />
    </div>
  );
  return (
    <Dialog
      open
      wide
      title={t("apps.create")}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" className="button" onClick={props.onClose}>
            {t("action.cancel")}
          </button>
          <button type="submit" form="app-form" className="button button-primary" disabled={create.isPending}>
            {t("apps.create")}
          </button>
        </>
      }
    >
      <form id="app-form" noValidate onSubmit={submit}>
        {problem && <Banner tone="error">{problem}</Banner>}
        <div className="grid-2">
          {input("key", t("roles.key"))}
          {input("name", t("tenant.name"))}
          <div className="field">
            <label htmlFor="app-authType">{t("apps.authType")}</label>
            <select id="app-authType" {...form.register("authType")}>
              <option value="oauth2">OAuth 2.0</option>
              <option value="api_key">API key</option>
              <option value="basic">Basic auth</option>
            </select>
          </div>
          {authType === "oauth2" && (
            <>
              {input("authorizeUrl", t("apps.authorizeUrl"), "url")}
              {input("tokenUrl", t("apps.tokenUrl"), "url")}
              {input("clientId", t("apps.clientId"))}
              <div className="field">
                <label htmlFor="app-tokenEndpointAuthMethod">{t("apps.tokenEndpointAuthMethod")}</label>
                <select id="app-tokenEndpointAuthMethod" {...form.register("tokenEndpointAuthMethod")}>
                  <option value="client_secret_basic">{t("apps.auth.client_secret_basic")}</option>
                  <option value="client_secret_post">{t("apps.auth.client_secret_post")}</option>
                  <option value="none">{t("apps.auth.none")}</option>
                </select>
              </div>
              {!publicClient && input("clientSecret", t("apps.clientSecret"), "password")}
              {input("scopes", t("apps.scopes"))}
            </>
          )}
          <div className="field field-wide">
            <label htmlFor="app-parametersSchema">{t("apps.parametersSchema")}</label>
            <textarea
              id="app-parametersSchema"
              rows={4}
              className="mono"
              {...form.register("parametersSchema")}
            />
          </div>
        </div>
      </form>
    </Dialog>
  );
}
