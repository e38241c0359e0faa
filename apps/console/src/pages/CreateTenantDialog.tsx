import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { issuesOf, trpc } from "../api";
import { Banner, Dialog, WithCode } from "../components/ui";
import { usePrefs } from "../prefs";

interface CreateValues {
  name: string;
  internalId: string;
  planKey: string;
  kind: "standard" | "enterprise" | "trial";
}

/** A new tenant: name, ids, plan, kind, and the schema's required fields. */
export function CreateTenantDialog(props: { open: boolean; onClose: () => void }) {
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
