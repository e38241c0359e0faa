import { type ReactNode, useId, useState } from "react";
import type { I18n } from "../i18n/i18n.js";
import type { WidgetRoot } from "../provider/WidgetRoot.js";
import type { loadFailedText } from "../shared/problem.js";
import type { ElementController } from "./useElement.js";

/** One editable path: the shell adds its label, badges, hint, error and reset. */
export interface ElementRow {
  pointer: string;
  label: string;
  hint?: string | null;
  /** The row's control, given the id and ARIA attributes that tie it to its label and texts. */
  control: (props: {
    id: string;
    "aria-describedby"?: string;
    "aria-invalid"?: true;
    disabled: boolean;
  }) => ReactNode;
}

/**
 * What the shell shares with the up-front bundle, handed over as props (see `element-shell-loader`):
 * its chunk then imports nothing the up-front bundle has, so no shared chunk is split off.
 */
export interface ShellParts {
  WidgetRoot: typeof WidgetRoot;
  loadFailedText: typeof loadFailedText;
}

export interface ElementShellProps {
  parts: ShellParts;
  i18n: I18n;
  c: ElementController;
  title: string;
  className: string;
  rows: ElementRow[];
  dirty: boolean;
  onSave: () => Promise<boolean>;
  onDiscard: () => void;
}

/**
 * What both element widgets share: the card, loading and load errors, the element's state, one row
 * per path with "customized" / "update available" badges and "reset to default", and save/discard.
 */
export function ElementShell({
  parts: { WidgetRoot, loadFailedText },
  i18n,
  c,
  title,
  className,
  rows,
  dirty,
  onSave,
  onDiscard,
}: ElementShellProps) {
  const id = useId();
  const [saved, setSaved] = useState(false);
  const e = c.element;
  const t = i18n.t;
  const errorAt = (pointer: string) =>
    c.problem?.issues[pointer] ??
    e?.errors.find((issue) => issue.path === pointer || issue.path.startsWith(`${pointer}/`))?.message;
  const unplaced = e?.errors.filter((issue) => !rows.some((row) => issue.path.startsWith(row.pointer))) ?? [];
  return (
    <WidgetRoot i18n={i18n} className={className}>
      <section className="tnt-card" aria-labelledby={id} aria-busy={!e && !c.loadError}>
        <h2 id={id} className="tnt-title">
          {title || e?.name}
        </h2>
        {c.loadError ? (
          <div className="tnt-banner tnt-banner-error" role="alert">
            <p>{loadFailedText(i18n, c.loadError)}</p>
            <button type="button" className="tnt-button" onClick={() => c.retry()}>
              {t("common.retry")}
            </button>
          </div>
        ) : !e ? (
          <p role="status">{t("common.loading")}</p>
        ) : (
          <form
            className="tnt-form"
            noValidate
            onSubmit={async (event) => {
              event.preventDefault();
              if (await onSave()) setSaved(true);
            }}
          >
            {!e.active && <p className="tnt-banner tnt-banner-info">{t("elements.inactive")}</p>}
            {e.outdated && <p className="tnt-banner tnt-banner-info">{t("elements.outdated")}</p>}
            {unplaced.length > 0 && (
              <p className="tnt-banner tnt-banner-error">
                {t("elements.problems", {
                  message: unplaced.map((i) => `${i.path} ${i.message}`).join("; "),
                })}
              </p>
            )}
            {rows.length === 0 && <p className="tnt-empty">{t("elements.empty")}</p>}
            <div className="tnt-field-list">
              {rows.map((row, index) => {
                const rowId = `${id}-${index}`;
                const override =
                  Object.keys(e.overrides).find(
                    (o) => row.pointer === o || row.pointer.startsWith(`${o}/`),
                  ) ?? null;
                const error = errorAt(row.pointer);
                const describedBy = [
                  override && `${rowId}-b`,
                  row.hint && `${rowId}-h`,
                  error && `${rowId}-e`,
                ]
                  .filter(Boolean)
                  .join(" ");
                return (
                  <div key={row.pointer} className="tnt-field" data-invalid={error ? true : undefined}>
                    <div className="tnt-field-head">
                      <label htmlFor={rowId} className="tnt-label">
                        {row.label}
                      </label>
                      {override && (
                        <span id={`${rowId}-b`} className="tnt-badges">
                          <span className="tnt-badge tnt-badge-invited">{t("elements.customized")}</span>
                          {e.outdatedPaths.includes(override) && (
                            <span className="tnt-badge tnt-badge-update">
                              {t("elements.updateAvailable")}
                            </span>
                          )}
                        </span>
                      )}
                    </div>
                    {row.control({
                      id: rowId,
                      ...(describedBy ? { "aria-describedby": describedBy } : {}),
                      ...(error ? { "aria-invalid": true } : {}),
                      disabled: c.readOnly,
                    })}
                    {row.hint && (
                      <p id={`${rowId}-h`} className="tnt-hint">
                        {row.hint}
                      </p>
                    )}
                    {error && (
                      <p id={`${rowId}-e`} className="tnt-error">
                        {error}
                      </p>
                    )}
                    {override && !c.readOnly && (
                      <button
                        type="button"
                        className="tnt-button tnt-button-small tnt-reset-field"
                        aria-label={`${t("elements.resetField")}: ${row.label}`}
                        disabled={c.saving}
                        onClick={async () => {
                          if (await c.resetPaths([override])) onDiscard();
                        }}
                      >
                        {t("elements.resetField")}
                      </button>
                    )}
                  </div>
                );
              })}
            </div>
            {c.problem && (
              <div className="tnt-banner tnt-banner-error" role="alert">
                <p>
                  {c.problem.conflict
                    ? t("fields.versionConflict")
                    : t("fields.saveFailed", { message: c.problem.message })}
                </p>
                {c.problem.conflict && (
                  <button
                    type="button"
                    className="tnt-button"
                    onClick={() => {
                      onDiscard();
                      c.reload();
                    }}
                  >
                    {t("fields.reload")}
                  </button>
                )}
              </div>
            )}
            {!c.readOnly && (
              <div className="tnt-actions">
                <p className="tnt-status" role="status">
                  {c.saving
                    ? t("fields.saving")
                    : dirty
                      ? t("fields.unsaved")
                      : saved
                        ? t("fields.saved")
                        : ""}
                </p>
                <button
                  type="button"
                  className="tnt-button"
                  disabled={!dirty || c.saving}
                  onClick={onDiscard}
                >
                  {t("fields.reset")}
                </button>
                <button type="submit" className="tnt-button tnt-button-primary" disabled={!dirty || c.saving}>
                  {t("fields.save")}
                </button>
              </div>
            )}
          </form>
        )}
      </section>
    </WidgetRoot>
  );
}
