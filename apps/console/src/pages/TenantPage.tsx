import { Link, Outlet, useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { appCodeOf, httpStatusOf, trpc } from "../api";
import { Badge, ConfirmDialog, CopyButton, EmptyState, ErrorState, Loading } from "../components/ui";
import { usePrefs } from "../prefs";
import { STATUS_TONE } from "./TenantsPage";

type StatusAction = "suspend" | "archive" | "activate" | "delete";

/** One tenant: its header with status actions, and a tab per aspect, each a linkable page. */
export function TenantPage() {
  const { t } = usePrefs();
  const { tenantId } = useParams({ from: "/app/tenants/$tenantId" });
  const tenant = trpc.tenants.get.useQuery({ id: tenantId });
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<StatusAction | null>(null);
  const suspend = trpc.tenants.suspend.useMutation();
  const archive = trpc.tenants.archive.useMutation();
  const activate = trpc.tenants.activate.useMutation();
  const remove = trpc.tenants.delete.useMutation();
  const mutations = { suspend, archive, activate, delete: remove };

  if (tenant.isPending) return <Loading rows={5} />;
  if (tenant.isError) {
    if (httpStatusOf(tenant.error) === 404 || httpStatusOf(tenant.error) === 400) {
      return (
        <EmptyState
          title={t("tenant.notFound")}
          action={
            <Link to="/tenants" className="button">
              {t("tenant.backToList")}
            </Link>
          }
        />
      );
    }
    return <ErrorState error={tenant.error} onRetry={() => tenant.refetch()} />;
  }
  const data = tenant.data;

  const run = async (action: StatusAction) => {
    const mutation = mutations[action];
    try {
      // The confirmation is the guard here: a status change applies to whatever version is current.
      await mutation.mutateAsync({ id: data.id });
      setConfirming(null);
      await utils.tenants.list.invalidate();
      if (action === "delete") {
        await navigate({ to: "/tenants" });
        return;
      }
      await utils.tenants.get.invalidate({ id: data.id });
      await utils.activity.listForTenant.invalidate();
    } catch {
      // Shown in the dialog; a version conflict reloads the tenant so the next try sees the latest.
      if (appCodeOf(mutation.error) === "version_conflict") await tenant.refetch();
    }
  };

  const tabs: [string, string][] = [
    ["profile", t("tab.profile")],
    ["fields", t("tab.fields")],
    ["credentials", t("tab.credentials")],
    ["members", t("tab.members")],
    ["connections", t("tab.connections")],
    ["usage", t("tab.usage")],
    ["activity", t("tab.activity")],
  ];
  const pending = confirming ? mutations[confirming] : null;

  return (
    <>
      <nav aria-label={t("breadcrumb")} className="breadcrumb">
        <Link to="/tenants">{t("tenants.title")}</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{data.name}</span>
      </nav>
      <header className="page-header">
        <div>
          <h1 className="tenant-title">
            {data.name} <Badge tone={STATUS_TONE[data.status]}>{t(`status.${data.status}`)}</Badge>
          </h1>
          <p className="page-description id-line">
            <code>{data.id}</code> <CopyButton value={data.id} label={t("tenant.copyId")} />
          </p>
        </div>
        <div className="page-actions">
          {data.status === "active" ? (
            <button type="button" className="button" onClick={() => setConfirming("suspend")}>
              {t("tenant.suspend")}
            </button>
          ) : (
            <button type="button" className="button" onClick={() => setConfirming("activate")}>
              {t("tenant.activate")}
            </button>
          )}
          {data.status !== "archived" && (
            <button type="button" className="button" onClick={() => setConfirming("archive")}>
              {t("tenant.archive")}
            </button>
          )}
          <button type="button" className="button button-danger" onClick={() => setConfirming("delete")}>
            {t("tenant.delete")}
          </button>
        </div>
      </header>
      <nav className="tabs" aria-label={t("tenant.sections")}>
        {tabs.map(([path, label]) => (
          <Link
            key={path}
            to={`/tenants/$tenantId/${path}` as "/tenants/$tenantId/profile"}
            params={{ tenantId }}
            className="tab"
          >
            {label}
          </Link>
        ))}
      </nav>
      <div className="tab-panel">
        <Outlet />
      </div>
      <ConfirmDialog
        open={confirming !== null}
        title={confirming ? t(`tenant.confirm.${confirming}.title`, { name: data.name }) : ""}
        body={confirming ? t(`tenant.confirm.${confirming}.body`) : ""}
        confirmLabel={confirming ? t(`tenant.${confirming}`) : ""}
        danger={confirming === "delete" || confirming === "suspend"}
        busy={pending?.isPending ?? false}
        error={pending?.error ?? null}
        onConfirm={() => confirming && void run(confirming)}
        onClose={() => {
          pending?.reset();
          setConfirming(null);
        }}
      />
    </>
  );
}
