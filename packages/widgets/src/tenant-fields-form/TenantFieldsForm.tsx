import { type FormEvent, useId, useRef, useState } from "react";
import type { I18n } from "../i18n/i18n.js";
import { useI18n } from "../provider/TenantryProvider.js";
import { WidgetRoot } from "../provider/WidgetRoot.js";
import { FieldInput } from "../shared/FieldInput.js";
import { type TenantFieldState, type TenantFieldsController, useTenantFields } from "./useTenantFields.js";

export interface TenantFieldsFormProps {
  /** The heading; "Tenant settings" (translated) unless given. */
  title?: string;
  /** Called after a successful save. */
  onSaved?: () => void;
  className?: string;
}

/** The tenant's custom fields as a form, from the workspace's field schema. */
export function TenantFieldsForm(props: TenantFieldsFormProps) {
  const i18n = useI18n();
  const controller = useTenantFields();
  const titleId = useId();
  const title = props.title ?? i18n.t("fields.title");
  return (
    <WidgetRoot i18n={i18n} className={props.className ? `tnt-fields ${props.className}` : "tnt-fields"}>
      <section className="tnt-card" aria-labelledby={titleId} aria-busy={controller.status === "loading"}>
        <h2 id={titleId} className="tnt-title">
          {title}
        </h2>
        {controller.status === "loading" && <LoadingState i18n={i18n} />}
        {controller.status === "error" && (
          <div className="tnt-banner tnt-banner-error" role="alert">
            <p>{i18n.t("common.loadFailed", { message: controller.loadError ?? "" })}</p>
            <button type="button" className="tnt-button" onClick={() => controller.retry()}>
              {i18n.t("common.retry")}
            </button>
          </div>
        )}
        {controller.status === "ready" && controller.fields.length === 0 && (
          <p className="tnt-empty">{i18n.t("fields.empty")}</p>
        )}
        {controller.status === "ready" && controller.fields.length > 0 && (
          <FieldsForm i18n={i18n} controller={controller} onSaved={props.onSaved} />
        )}
      </section>
    </WidgetRoot>
  );
}

function LoadingState({ i18n }: { i18n: I18n }) {
  return (
    <div className="tnt-skeleton" role="status">
      <span className="tnt-visually-hidden">{i18n.t("common.loading")}</span>
      {[0, 1, 2].map((row) => (
        <div key={row} className="tnt-skeleton-row" aria-hidden="true">
          <span className="tnt-skeleton-label" />
          <span className="tnt-skeleton-input" />
        </div>
      ))}
    </div>
  );
}

function FieldsForm({
  i18n,
  controller,
  onSaved,
}: {
  i18n: I18n;
  controller: TenantFieldsController;
  onSaved: (() => void) | undefined;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const [invalidCount, setInvalidCount] = useState(0);
  const { fields, readOnly, dirty, saving, saveProblem, savedAt } = controller;
  const missing = fields.filter((field) => field.missing);

  /** Takes the keyboard to the first missing field (a secret opens its editor, which takes focus). */
  function fillIn(field: TenantFieldState) {
    if (field.kind === "secret") controller.setSecret(field.name, { action: "replace", value: "" });
    else formRef.current?.querySelector<HTMLElement>(`[name="${field.name}"]`)?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const outcome = await controller.save();
    if (outcome === "saved") {
      setInvalidCount(0);
      onSaved?.();
      return;
    }
    if (outcome === "invalid" || outcome === "failed") {
      // Let React render the errors, then take the keyboard to the first field that has one.
      setTimeout(() => {
        const invalid = formRef.current?.querySelectorAll<HTMLElement>('[aria-invalid="true"]');
        setInvalidCount(invalid?.length ?? 0);
        invalid?.[0]?.focus();
      }, 0);
    }
  }

  return (
    <form ref={formRef} className="tnt-form" noValidate onSubmit={submit}>
      {readOnly && <p className="tnt-banner tnt-banner-info">{i18n.t("fields.readOnly")}</p>}
      {missing[0] && !readOnly && (
        <div className="tnt-banner tnt-banner-info" role="alert">
          <p>{i18n.t("fields.missing", { fields: missing.map((field) => field.label).join(", ") })}</p>
          <button type="button" className="tnt-button" onClick={() => fillIn(missing[0]!)}>
            {i18n.t("fields.fillIn")}
          </button>
        </div>
      )}
      <div className="tnt-field-list">
        {fields.map((field) => (
          <FieldRow key={field.name} i18n={i18n} field={field} controller={controller} />
        ))}
      </div>
      {saveProblem?.kind === "conflict" && (
        <div className="tnt-banner tnt-banner-error" role="alert">
          <p>{i18n.t("fields.versionConflict")}</p>
          <button type="button" className="tnt-button" onClick={() => controller.reload()}>
            {i18n.t("fields.reload")}
          </button>
        </div>
      )}
      {saveProblem?.kind === "error" && (
        <p className="tnt-banner tnt-banner-error" role="alert">
          {i18n.t("fields.saveFailed", { message: saveProblem.message })}
        </p>
      )}
      {!readOnly && (
        <div className="tnt-actions">
          <p className="tnt-status" role="status">
            {saving
              ? i18n.t("fields.saving")
              : invalidCount > 0 && fields.some((f) => f.error || f.serverError)
                ? i18n.plural("fields.fixErrors", invalidCount)
                : dirty
                  ? i18n.t("fields.unsaved")
                  : savedAt
                    ? i18n.t("fields.saved")
                    : ""}
          </p>
          <button
            type="button"
            className="tnt-button"
            disabled={!controller.edited || saving}
            onClick={controller.reset}
          >
            {i18n.t("fields.reset")}
          </button>
          <button type="submit" className="tnt-button tnt-button-primary" disabled={!dirty || saving}>
            {saving ? i18n.t("fields.saving") : i18n.t("fields.save")}
          </button>
        </div>
      )}
    </form>
  );
}

function FieldRow({
  i18n,
  field,
  controller,
}: {
  i18n: I18n;
  field: TenantFieldState;
  controller: TenantFieldsController;
}) {
  const message =
    (field.error && i18n.t(field.error.key, field.error.params)) ??
    field.serverError ??
    (field.missing
      ? i18n.t("validation.required")
      : field.storedIssue
        ? i18n.t("fields.storedInvalid", { message: field.storedIssue })
        : null);
  return (
    <FieldInput
      i18n={i18n}
      field={field}
      input={field.input}
      message={message}
      invalid={Boolean(field.error || field.serverError)}
      readOnly={controller.readOnly}
      onChange={(value) => controller.setValue(field.name, value)}
      secret={(parts) => <SecretFieldRow i18n={i18n} field={field} controller={controller} {...parts} />}
    />
  );
}

function SecretFieldRow({
  i18n,
  field,
  controller,
  label,
  after,
  common,
}: {
  i18n: I18n;
  field: TenantFieldState;
  controller: TenantFieldsController;
  label: React.ReactNode;
  after: React.ReactNode;
  common: { id: string; "aria-describedby": string | undefined };
}) {
  const edit = field.secretEdit;
  const statusId = `${common.id}-status`;
  const describedBy = [statusId, common["aria-describedby"]].filter(Boolean).join(" ");
  return (
    <div
      className="tnt-field tnt-field-secret"
      data-invalid={field.error || field.serverError ? true : undefined}
    >
      {edit?.action === "replace" ? (
        label
      ) : (
        <span className="tnt-label" id={`${common.id}-label`}>
          {field.label}
        </span>
      )}
      <p id={statusId} className="tnt-secret-status">
        {edit?.action === "remove"
          ? i18n.t("fields.secret.willRemove")
          : field.secretIsSet
            ? i18n.t("fields.secret.isSet")
            : i18n.t("fields.secret.notSet")}
      </p>
      {edit?.action === "replace" ? (
        <div className="tnt-secret-editor">
          <input
            {...common}
            aria-describedby={describedBy}
            className="tnt-input"
            type="password"
            autoComplete="new-password"
            // Focus moves here when the user chose Set/Replace: it is the next thing they type into.
            // biome-ignore lint/a11y/noAutofocus: focus follows the user's own action
            autoFocus
            value={edit.value}
            onChange={(event) =>
              controller.setSecret(field.name, { action: "replace", value: event.target.value })
            }
          />
          <button type="button" className="tnt-button" onClick={() => controller.setSecret(field.name, null)}>
            {i18n.t("fields.secret.cancel")}
          </button>
        </div>
      ) : (
        !controller.readOnly && (
          <div className="tnt-secret-actions">
            <button
              type="button"
              className="tnt-button"
              aria-describedby={describedBy}
              aria-label={`${field.secretIsSet ? i18n.t("fields.secret.replace") : i18n.t("fields.secret.set")}: ${field.label}`}
              onClick={() => controller.setSecret(field.name, { action: "replace", value: "" })}
            >
              {field.secretIsSet ? i18n.t("fields.secret.replace") : i18n.t("fields.secret.set")}
            </button>
            {field.secretIsSet && !field.required && edit?.action !== "remove" && (
              <button
                type="button"
                className="tnt-button tnt-button-danger"
                aria-label={`${i18n.t("fields.secret.remove")}: ${field.label}`}
                onClick={() => controller.setSecret(field.name, { action: "remove" })}
              >
                {i18n.t("fields.secret.remove")}
              </button>
            )}
            {edit?.action === "remove" && (
              <button
                type="button"
                className="tnt-button"
                onClick={() => controller.setSecret(field.name, null)}
              >
                {i18n.t("fields.secret.cancel")}
              </button>
            )}
          </div>
        )
      )}
      {after}
    </div>
  );
}
