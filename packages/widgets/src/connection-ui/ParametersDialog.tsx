import { type FormEvent, useId, useMemo, useRef, useState } from "react";
import type { I18n } from "../i18n/i18n.js";
import { Dialog } from "../shared/Dialog.js";
import type { FieldInput } from "../shared/FieldInput.js";
import type { InputValue } from "../tenant-fields-form/field-model.js";
import type { useValidatorReady } from "../tenant-fields-form/useValidator.js";
import type { problemText } from "./connection-texts.js";
import type { initialInputs, parameterFieldsOf, readParameters } from "./parameters-model.js";
import type { CatalogApp, Connection, ConnectionProblem, ConnectionsController } from "./useConnections.js";

/**
 * What the form shares with the widget, handed over as props: this chunk then imports nothing the
 * up-front bundle has, so the bundler splits off no shared chunk.
 */
export interface ParametersDialogParts {
  FieldInput: typeof FieldInput;
  useValidatorReady: typeof useValidatorReady;
  problemText: typeof problemText;
  parameterFieldsOf: typeof parameterFieldsOf;
  initialInputs: typeof initialInputs;
  readParameters: typeof readParameters;
}

/** The parameters form of an API-key or basic app. */
export function ParametersDialog({
  parts,
  i18n,
  controller,
  app,
  replacing,
  onClose,
}: {
  parts: ParametersDialogParts;
  i18n: I18n;
  controller: ConnectionsController;
  app: CatalogApp;
  replacing: Connection | null;
  onClose: () => void;
}) {
  const { FieldInput, useValidatorReady, problemText, parameterFieldsOf, initialInputs, readParameters } =
    parts;
  useValidatorReady(); // loads the schema check while the user types
  const formId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const authType = app.authType === "basic" ? "basic" : "api_key";
  const fields = useMemo(
    () => parameterFieldsOf(authType, app.parametersSchema),
    [parameterFieldsOf, authType, app],
  );
  const [inputs, setInputs] = useState(() => initialInputs(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<ConnectionProblem | null>(null);
  const [submitting, setSubmitting] = useState(false);

  function focusFirstProblem() {
    // After React has rendered the messages: the first field in error, else the form's alert.
    setTimeout(() => {
      const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      (invalid ?? alertRef.current)?.focus();
    }, 0);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (submitting) return;
    const { parameters, errors: found } = readParameters(fields, inputs);
    setProblem(null);
    if (Object.keys(found).length > 0) {
      setErrors(
        Object.fromEntries(
          Object.entries(found).map(([name, message]) => [name, i18n.t(message.key, message.params)]),
        ),
      );
      focusFirstProblem();
      return;
    }
    setErrors({});
    setSubmitting(true);
    const outcome = await controller.connectWithParameters(app, parameters, replacing);
    setSubmitting(false);
    if (outcome.ok) {
      onClose();
      return;
    }
    setErrors(outcome.fieldErrors);
    setProblem(outcome.problem);
    focusFirstProblem();
  }

  const setInput = (name: string, value: InputValue) => {
    setInputs((current) => ({ ...current, [name]: value }));
    setErrors(({ [name]: _, ...rest }) => rest);
  };

  return (
    <Dialog
      open
      title={i18n.t("connections.formTitle", { app: app.name })}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="tnt-button" onClick={onClose}>
            {i18n.t("connections.cancel")}
          </button>
          <button type="submit" form={formId} className="tnt-button tnt-button-primary" disabled={submitting}>
            {submitting ? i18n.t("connections.submitting") : i18n.t("connections.submit")}
          </button>
        </>
      }
    >
      <form id={formId} ref={formRef} className="tnt-form tnt-parameters" noValidate onSubmit={submit}>
        <p>{i18n.t("connections.formIntro", { app: app.name })}</p>
        {problem && (
          <div ref={alertRef} className="tnt-banner tnt-banner-error" role="alert" tabIndex={-1}>
            <p>{problemText(i18n, problem)}</p>
          </div>
        )}
        <div className="tnt-field-list">
          {fields.map((field) => (
            <FieldInput
              key={field.name}
              i18n={i18n}
              field={field}
              input={inputs[field.name] ?? ""}
              message={errors[field.name] ?? null}
              invalid={Boolean(errors[field.name])}
              onChange={(value) => setInput(field.name, value)}
            />
          ))}
        </div>
      </form>
    </Dialog>
  );
}
