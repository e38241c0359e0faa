import { MemberTable, TenantFieldsForm, TenantryProvider, UsageMeter } from "@tenantry/widgets";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { issuesOf, trpc } from "../api";
import { Banner, CopyButton, ErrorState, Loading, PageHeader } from "../components/ui";
import { usePrefs } from "../prefs";

interface TestTenantValues {
  internalId: string;
  name: string;
  fields: string;
}
interface MintValues {
  userId: string;
  email: string;
  scope: string;
}

/** Settings → Testing: the test tenant, a token for it, and every widget acting as it. */
export function TestingPage() {
  const { t } = usePrefs();
  const testTenant = trpc.workspaces.getTestTenant.useQuery();
  const save = trpc.workspaces.putTestTenant.useMutation();
  const mint = trpc.workspaces.mintTestTenantToken.useMutation();
  const utils = trpc.useUtils();
  const [saved, setSaved] = useState(false);
  const [saveFailure, setSaveFailure] = useState<unknown>(null);
  const [token, setToken] = useState<{ token: string; expiresAt: string; tenantId: string } | null>(null);
  const form = useForm<TestTenantValues>({ defaultValues: { internalId: "", name: "", fields: "{}" } });
  const mintForm = useForm<MintValues>({
    defaultValues: { userId: "", email: "", scope: "fields:read fields:write members:read usage:read" },
  });
  const { errors } = form.formState;

  useEffect(() => {
    if (testTenant.data) {
      form.reset({
        internalId: testTenant.data.internalId,
        name: testTenant.data.name,
        fields: JSON.stringify(testTenant.data.fields, null, 2),
      });
    }
  }, [testTenant.data, form]);

  const submit = form.handleSubmit(async (values) => {
    setSaved(false);
    setSaveFailure(null);
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(values.fields || "{}");
    } catch {
      form.setError("fields", { message: t("profile.badJson") });
      return;
    }
    try {
      const answer = await save.mutateAsync({
        internalId: values.internalId,
        name: values.name,
        fields: fields as never,
      });
      utils.workspaces.getTestTenant.setData(undefined, answer);
      setSaved(true);
      setToken(null);
    } catch (error) {
      const issues = issuesOf(error);
      if (issues.length === 0) setSaveFailure(error);
      for (const issue of issues) {
        const [head] = issue.path.split(".");
        form.setError((head === "fields" ? "fields" : head) as keyof TestTenantValues, {
          message: `${issue.path}: ${issue.message}`,
        });
      }
    }
  });

  const mintToken = mintForm.handleSubmit(async (values) => {
    // A refusal is shown from `mint.error` below; it must never escape as an unhandled rejection.
    setToken(null);
    try {
      const answer = await mint.mutateAsync({
        ...(values.userId.trim()
          ? {
              user: {
                id: values.userId.trim(),
                ...(values.email.trim() ? { email: values.email.trim() } : {}),
              },
            }
          : {}),
        ...(values.scope.trim() ? { scope: values.scope.trim() } : {}),
      });
      setToken(answer);
    } catch {}
  });
  // The minted token's tenant, to say which required fields it still lacks (the form asks for them).
  const mintedTenant = trpc.tenants.get.useQuery({ id: token?.tenantId ?? "" }, { enabled: Boolean(token) });
  const schema = trpc.fields.getSchema.useQuery(undefined, { enabled: Boolean(token) });
  const missingFields = (mintedTenant.data?.fieldsStatus.missing ?? []).map(
    (name) => schema.data?.schema.properties[name]?.title ?? name,
  );

  const curl = token
    ? `curl -s ${window.location.origin}/api/v1/me -H "Authorization: Bearer ${token.token}"`
    : "";

  return (
    <>
      <PageHeader title={t("nav.testing")} description={t("testing.description")} />
      {testTenant.isPending && <Loading rows={4} />}
      {testTenant.isError && <ErrorState error={testTenant.error} onRetry={() => testTenant.refetch()} />}
      {testTenant.data && (
        <div className="editor">
          <div className="stack">
            <form className="card" onSubmit={submit} noValidate aria-labelledby="test-tenant-title">
              <h2 id="test-tenant-title" className="card-title">
                {t("testing.tenant")}
              </h2>
              {saved && <Banner tone="success">{t("testing.saved")}</Banner>}
              {saveFailure !== null && <ErrorState error={saveFailure} />}
              <div className="field">
                <label htmlFor="test-internalId">{t("tenant.internalId")}</label>
                <input
                  id="test-internalId"
                  aria-invalid={Boolean(errors.internalId)}
                  aria-describedby={errors.internalId ? "test-internalId-error" : undefined}
                  {...form.register("internalId", { required: t("form.required") })}
                />
                {errors.internalId && (
                  <p id="test-internalId-error" className="field-error">
                    {errors.internalId.message}
                  </p>
                )}
              </div>
              <div className="field">
                <label htmlFor="test-name">{t("tenant.name")}</label>
                <input
                  id="test-name"
                  aria-invalid={Boolean(errors.name)}
                  aria-describedby={errors.name ? "test-name-error" : undefined}
                  {...form.register("name", { required: t("form.required") })}
                />
                {errors.name && (
                  <p id="test-name-error" className="field-error">
                    {errors.name.message}
                  </p>
                )}
              </div>
              <div className="field">
                <label htmlFor="test-fields">{t("testing.fields")}</label>
                <textarea
                  id="test-fields"
                  rows={5}
                  className="mono"
                  aria-invalid={Boolean(errors.fields)}
                  aria-describedby={errors.fields ? "test-fields-error" : "test-fields-hint"}
                  {...form.register("fields")}
                />
                <p id="test-fields-hint" className="field-hint">
                  {t("testing.fieldsHint")}
                </p>
                {errors.fields && (
                  <p id="test-fields-error" className="field-error">
                    {errors.fields.message}
                  </p>
                )}
              </div>
              <div className="form-actions">
                <button type="submit" className="button button-primary" disabled={save.isPending}>
                  {t("testing.save")}
                </button>
              </div>
            </form>
            <form className="card" onSubmit={mintToken} noValidate aria-labelledby="mint-title">
              <h2 id="mint-title" className="card-title">
                {t("testing.mint")}
              </h2>
              <div className="grid-2">
                <div className="field">
                  <label htmlFor="mint-userId">{t("testing.userId")}</label>
                  <input
                    id="mint-userId"
                    aria-describedby="mint-userId-hint"
                    {...mintForm.register("userId")}
                  />
                  <p id="mint-userId-hint" className="field-hint">
                    {t("testing.userIdHint")}
                  </p>
                </div>
                <div className="field">
                  <label htmlFor="mint-email">{t("signIn.email")}</label>
                  <input id="mint-email" type="email" {...mintForm.register("email")} />
                </div>
                <div className="field field-wide">
                  <label htmlFor="mint-scope">{t("testing.scope")}</label>
                  <input id="mint-scope" className="mono" {...mintForm.register("scope")} />
                </div>
              </div>
              {mint.error && <ErrorState error={mint.error} />}
              <div className="form-actions">
                <button type="submit" className="button button-primary" disabled={mint.isPending}>
                  {t("testing.mintButton")}
                </button>
              </div>
              {token && missingFields.length > 0 && (
                <Banner tone="warning">
                  {t("testing.incomplete", { fields: missingFields.join(", ") })}
                </Banner>
              )}
              {token && (
                <div className="stack">
                  <div>
                    <p className="field-label">{t("testing.token")}</p>
                    <pre className="code-block mono" data-testid="minted-token">
                      {token.token}
                    </pre>
                    <CopyButton value={token.token} label={t("testing.copyToken")} />
                  </div>
                  <div>
                    <p className="field-label">{t("testing.curl")}</p>
                    <pre className="code-block mono" data-testid="curl-line">
                      {curl}
                    </pre>
                    <CopyButton value={curl} label={t("testing.copyCurl")} />
                  </div>
                </div>
              )}
            </form>
          </div>
          <section className="stack" aria-labelledby="widgets-title">
            <h2 id="widgets-title" className="section-title">
              {t("testing.widgets")}
            </h2>
            {token ? (
              <WidgetPreview token={token.token} />
            ) : (
              <p className="muted empty">{t("testing.widgetsHint")}</p>
            )}
          </section>
        </div>
      )}
    </>
  );
}

function WidgetPreview(props: { token: string }) {
  const { theme, language } = usePrefs();
  return (
    <TenantryProvider
      key={props.token}
      baseUrl={window.location.origin}
      token={props.token}
      theme={theme}
      locale={language === "sv" ? "sv-SE" : "en"}
    >
      <TenantFieldsForm />
      <MemberTable pageSize={10} />
      <UsageMeter />
    </TenantryProvider>
  );
}
