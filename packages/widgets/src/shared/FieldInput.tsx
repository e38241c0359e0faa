import type { FieldDefinition } from "@tenantry/contracts/fields";
import { type ReactNode, useId } from "react";
import type { I18n } from "../i18n/i18n.js";
import type { FieldKind, InputValue } from "../tenant-fields-form/field-model.js";

/** A field of a JSON Schema form: tenant fields and an app's connection parameters alike. */
export interface FieldModel {
  name: string;
  label: string;
  description: string | null;
  kind: FieldKind;
  definition: FieldDefinition;
  required: boolean;
  options: readonly (string | number)[];
}

/** What a caller needs to draw a field its own way (the tenant form's write-only secrets). */
export interface FieldParts {
  label: ReactNode;
  after: ReactNode;
  common: { id: string; name: string; "aria-describedby": string | undefined };
}

function boundsHint(i18n: I18n, field: FieldModel): string | null {
  const definition = field.definition;
  if (definition.type !== "number" && definition.type !== "integer") return null;
  const min = definition.minimum ?? definition.exclusiveMinimum;
  const max = definition.maximum ?? definition.exclusiveMaximum;
  if (min !== undefined && max !== undefined) return i18n.t("validation.range", { min, max });
  if (min !== undefined) return i18n.t("validation.atLeast", { min });
  if (max !== undefined) return i18n.t("validation.atMost", { max });
  return null;
}

const INPUT_TYPES: Record<string, string> = {
  text: "text",
  email: "email",
  url: "url",
  number: "number",
  integer: "number",
  date: "date",
  datetime: "datetime-local",
  secret: "password",
};

/**
 * One labelled field: the native control its kind calls for, its description and bounds, and its
 * message (an error when `invalid`, else a warning), all tied to the control by `aria-describedby`.
 */
export function FieldInput({
  i18n,
  field,
  input,
  message,
  invalid,
  readOnly = false,
  onChange,
  secret,
}: {
  i18n: I18n;
  field: FieldModel;
  input: InputValue;
  message: string | null;
  invalid: boolean;
  readOnly?: boolean;
  onChange: (value: InputValue) => void;
  /** Draws a secret field instead of the plain password input. */
  secret?: (parts: FieldParts) => ReactNode;
}) {
  const id = useId();
  const hint = [field.description, boundsHint(i18n, field)].filter(Boolean).join(" ");
  const hintId = hint ? `${id}-hint` : undefined;
  const messageId = message ? `${id}-error` : undefined;
  const describedBy = [hintId, messageId].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name: field.name,
    "aria-describedby": describedBy,
    "aria-invalid": invalid || undefined,
    "aria-required": field.required || undefined,
  };
  const label = (
    <label htmlFor={id} className="tnt-label">
      {field.label}
      {field.required && (
        <span className="tnt-required" aria-hidden="true">
          {" *"}
        </span>
      )}
    </label>
  );
  const after = (
    <>
      {hint && (
        <p id={hintId} className="tnt-hint">
          {hint}
        </p>
      )}
      {message && (
        <p id={messageId} className={invalid ? "tnt-error" : "tnt-warning"}>
          {message}
        </p>
      )}
    </>
  );

  if (field.kind === "secret" && secret) return secret({ label, after, common });

  if (field.kind === "boolean") {
    return (
      <div className="tnt-field tnt-field-checkbox" data-invalid={invalid || undefined}>
        <input
          {...common}
          type="checkbox"
          className="tnt-checkbox"
          checked={input === true}
          disabled={readOnly}
          onChange={(event) => onChange(event.target.checked)}
        />
        <div>
          {label}
          {after}
        </div>
      </div>
    );
  }

  const text = typeof input === "string" ? input : "";
  const definition = field.definition;
  let control: ReactNode;
  if (field.kind === "select") {
    control = (
      <select
        {...common}
        className="tnt-input tnt-select"
        value={text}
        disabled={readOnly}
        onChange={(event) => onChange(event.target.value)}
      >
        <option value="">{i18n.t("fields.choose")}</option>
        {field.options.map((option) => (
          <option key={String(option)} value={String(option)}>
            {typeof option === "number" ? i18n.formatNumber(option) : option}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = definition.type === "number" || definition.type === "integer" ? definition : null;
    control = (
      <input
        {...common}
        className="tnt-input"
        type={INPUT_TYPES[field.kind]}
        inputMode={field.kind === "integer" ? "numeric" : field.kind === "number" ? "decimal" : undefined}
        value={text}
        readOnly={readOnly}
        min={numeric?.minimum ?? numeric?.exclusiveMinimum}
        max={numeric?.maximum ?? numeric?.exclusiveMaximum}
        step={numeric ? (numeric.multipleOf ?? (field.kind === "integer" ? 1 : "any")) : undefined}
        maxLength={definition.type === "string" ? definition.maxLength : undefined}
        // A password for another service: the browser must not offer to save it as the host's.
        autoComplete={field.kind === "secret" ? "new-password" : "off"}
        onChange={(event) => onChange(event.target.value)}
      />
    );
  }
  return (
    <div className="tnt-field" data-invalid={invalid || undefined}>
      {label}
      {control}
      {after}
    </div>
  );
}
