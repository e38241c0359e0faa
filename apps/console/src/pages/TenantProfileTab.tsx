import { useParams } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { appCodeOf, issuesOf, type Tenant, trpc } from "../api";
import { Banner, ErrorState, formatDateTime, Loading } from "../components/ui";
import type { MessageKey } from "../i18n";
import { usePrefs } from "../prefs";

type Kind =
  | "text"
  | "email"
  | "url"
  | "number"
  | "boolean"
  | "datetime"
  | "json"
  | { options: readonly string[] };
type Editable = Exclude<
  keyof Tenant,
  | "id"
  | "status"
  | "fields"
  | "secretFieldsSet"
  | "hasCredentials"
  | "credentialsUpdatedAt"
  | "scopeId"
  | "version"
  | "createdAt"
  | "updatedAt"
  | "ownerUserId"
  | "fieldsStatus"
>;

/** Every writable tenant field from DESIGN.md, grouped as an operator thinks of them. */
const GROUPS: { title: MessageKey; fields: [Editable, Kind][] }[] = [
  {
    title: "profile.identity",
    fields: [
      ["name", "text"],
      ["slug", "text"],
      ["internalId", "text"],
      ["externalId", "text"],
      ["locale", "text"],
      ["logo", "url"],
    ],
  },
  {
    title: "profile.plan",
    fields: [
      ["kind", { options: ["standard", "enterprise", "trial"] }],
      ["planKey", "text"],
      ["trial", "boolean"],
      ["trialEndsAt", "datetime"],
      ["paymentStatus", { options: ["none", "trialing", "current", "past_due", "unpaid", "canceled"] }],
      ["onboarded", "boolean"],
    ],
  },
  {
    title: "profile.security",
    fields: [
      ["mfa", { options: ["off", "optional", "required"] }],
      ["federationConnection", "text"],
      ["billingEmail", "email"],
      ["technicalContactEmail", "email"],
    ],
  },
  {
    title: "profile.limits",
    fields: [
      ["maxUsers", "number"],
      ["maxWorkspaces", "number"],
      ["maxProjects", "number"],
      ["maxEnvironments", "number"],
      ["aiCreditsRolling30DayLimit", "number"],
    ],
  },
  { title: "profile.metadata", fields: [["metadata", "json"]] },
];
const ALL = GROUPS.flatMap((group) => group.fields);

type FormValues = Record<Editable, string | boolean>;

function toForm(tenant: Tenant): FormValues {
  const values = {} as FormValues;
  for (const [name, kind] of ALL) {
    const value = tenant[name];
    if (kind === "boolean") values[name] = Boolean(value);
    else if (kind === "json") values[name] = JSON.stringify(value ?? {}, null, 2);
    else if (kind === "datetime") values[name] = typeof value === "string" ? value.slice(0, 16) : "";
    else values[name] = value == null ? "" : String(value);
  }
  return values;
}

/** Only what changed, in the API's types; a bad number or JSON is named on its field. */
function toPatch(
  tenant: Tenant,
  values: FormValues,
): { patch: Record<string, unknown>; errors: [Editable, string][] } {
  const patch: Record<string, unknown> = {};
  const errors: [Editable, string][] = [];
  const initial = toForm(tenant);
  for (const [name, kind] of ALL) {
    const raw = values[name];
    if (raw === initial[name]) continue;
    if (kind === "boolean") patch[name] = raw;
    else if (typeof raw !== "string") continue;
    else if (kind === "number") {
      if (raw.trim() === "") patch[name] = null;
      else if (!/^\d+$/.test(raw.trim())) errors.push([name, "number"]);
      else patch[name] = Number(raw);
    } else if (kind === "json") {
      try {
        patch[name] = JSON.parse(raw);
      } catch {
        errors.push([name, "json"]);
      }
    } else if (kind === "datetime") patch[name] = raw ? new Date(raw).toISOString() : null;
    else if (name === "name" || name === "slug" || name === "internalId" || typeof kind === "object")
      patch[name] = raw;
    else patch[name] = raw.trim() === "" ? null : raw;
  }
  return { patch, errors };
}

export function TenantProfileTab() {
  const { tenantId } = useParams({ from: "/app/tenants/$tenantId/profile" });
  // Always the latest version when the tab opens, so a save is not refused for a change made earlier.
  const tenant = trpc.tenants.get.useQuery({ id: tenantId }, { refetchOnMount: "always" });
  const [formKey, setFormKey] = useState(0);
  if (tenant.isPending) return <Loading rows={8} />;
  if (tenant.isError) return <ErrorState error={tenant.error} onRetry={() => tenant.refetch()} />;
  // "Reload latest" starts a fresh form from the latest version: nothing of the old edit survives.
  return (
    <ProfileForm
      key={formKey}
      tenant={tenant.data}
      onReload={async () => {
        await tenant.refetch();
        setFormKey((key) => key + 1);
      }}
    />
  );
}

function ProfileForm(props: { tenant: Tenant; onReload: () => Promise<void> }) {
  const { t, language } = usePrefs();
  const { tenant } = props;
  const utils = trpc.useUtils();
  const patch = trpc.tenants.patch.useMutation();
  // The version the operator started editing from: a save against a newer one is a conflict.
  const [baseVersion, setBaseVersion] = useState(tenant.version);
  const [conflict, setConflict] = useState(false);
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<FormValues>({ defaultValues: toForm(tenant) });
  const { errors, isDirty } = form.formState;

  useEffect(() => {
    // Another tab or operator changed it: keep the operator's edits, but say so.
    // Versions only grow: an older copy arriving late never overwrites a newer one.
    if (tenant.version > baseVersion && isDirty) setConflict(true);
    if (tenant.version > baseVersion && !isDirty) {
      // keepDirtyValues: a keystroke that lands in the same instant as the newer copy survives it.
      form.reset(toForm(tenant), { keepDirtyValues: true });
      setBaseVersion(tenant.version);
    }
  }, [tenant, baseVersion, isDirty, form]);

  const submit = form.handleSubmit(async (values) => {
    setSaved(false);
    setProblem(null);
    const base = { ...tenant, version: baseVersion };
    const { patch: changes, errors: local } = toPatch(base, values);
    for (const [name, kind] of local)
      form.setError(name, { message: t(kind === "json" ? "profile.badJson" : "profile.badNumber") });
    if (local.length > 0) return;
    if (Object.keys(changes).length === 0) return;
    try {
      const updated = await patch.mutateAsync({ id: tenant.id, expectedVersion: baseVersion, ...changes });
      utils.tenants.get.setData({ id: tenant.id }, updated);
      await utils.activity.listForTenant.invalidate();
      setBaseVersion(updated.version);
      form.reset(toForm(updated));
      setConflict(false);
      setSaved(true);
    } catch (error) {
      if (appCodeOf(error) === "version_conflict") {
        setConflict(true);
        return;
      }
      const issues = issuesOf(error);
      for (const issue of issues) form.setError(issue.path as Editable, { message: issue.message });
      if (issues.length === 0) setProblem((error as Error).message);
    }
  });

  const discardAndReload = () => props.onReload();

  const input = (name: Editable, kind: Kind) => {
    const id = `profile-${name}`;
    const describedBy = errors[name] ? `${id}-error` : undefined;
    const common = { id, "aria-invalid": Boolean(errors[name]), "aria-describedby": describedBy };
    if (kind === "boolean") {
      return (
        <div className="field field-check" key={name}>
          <input type="checkbox" {...common} {...form.register(name)} />
          <label htmlFor={id}>{t(`tenant.${name}` as MessageKey)}</label>
        </div>
      );
    }
    return (
      <div className={kind === "json" ? "field field-wide" : "field"} key={name}>
        <label htmlFor={id}>{t(`tenant.${name}` as MessageKey)}</label>
        {typeof kind === "object" ? (
          <select {...common} {...form.register(name)}>
            {kind.options.map((option) => (
              <option key={option} value={option}>
                {t(`option.${option}` as MessageKey)}
              </option>
            ))}
          </select>
        ) : kind === "json" ? (
          <textarea rows={5} className="mono" {...common} {...form.register(name)} />
        ) : (
          <input
            type={kind === "number" ? "text" : kind === "datetime" ? "datetime-local" : kind}
            inputMode={kind === "number" ? "numeric" : undefined}
            {...common}
            {...form.register(name)}
          />
        )}
        {errors[name] && (
          <p id={`${id}-error`} className="field-error">
            {String(errors[name]?.message)}
          </p>
        )}
      </div>
    );
  };

  return (
    <form onSubmit={submit} noValidate className="profile-form">
      {conflict && (
        <Banner tone="warning">
          <p>{t("profile.conflict")}</p>
          <button type="button" className="button" onClick={() => void discardAndReload()}>
            {t("profile.reload")}
          </button>
        </Banner>
      )}
      {saved && !isDirty && <Banner tone="success">{t("profile.saved")}</Banner>}
      {problem && <Banner tone="error">{problem}</Banner>}
      {GROUPS.map((group) => (
        <fieldset key={group.title} className="card">
          <legend>{t(group.title)}</legend>
          <div className="grid-2">{group.fields.map(([name, kind]) => input(name, kind))}</div>
        </fieldset>
      ))}
      <section className="card" aria-labelledby="profile-readonly">
        <h2 id="profile-readonly" className="card-title">
          {t("profile.system")}
        </h2>
        <dl className="facts">
          <dt>{t("tenant.id")}</dt>
          <dd>
            <code>{tenant.id}</code>
          </dd>
          <dt>{t("tenant.scopeId")}</dt>
          <dd>
            <code>{tenant.scopeId}</code>
          </dd>
          <dt>{t("tenant.ownerUserId")}</dt>
          <dd>{tenant.ownerUserId ? <code>{tenant.ownerUserId}</code> : "—"}</dd>
          <dt>{t("tenant.version")}</dt>
          <dd>{baseVersion}</dd>
          <dt>{t("tenant.createdAt")}</dt>
          <dd>{formatDateTime(tenant.createdAt, language)}</dd>
          <dt>{t("tenant.updatedAt")}</dt>
          <dd>{formatDateTime(tenant.updatedAt, language)}</dd>
        </dl>
      </section>
      <div className="form-actions sticky-actions">
        <button
          type="button"
          className="button"
          disabled={!isDirty}
          onClick={() => form.reset(toForm({ ...tenant }))}
        >
          {t("action.discard")}
        </button>
        <button type="submit" className="button button-primary" disabled={!isDirty || patch.isPending}>
          {patch.isPending ? t("action.saving") : t("action.save")}
        </button>
      </div>
    </form>
  );
}
