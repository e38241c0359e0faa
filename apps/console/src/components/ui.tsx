import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { messageOf } from "../api";
import { useT } from "../prefs";

export function PageHeader(props: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.description && <p className="page-description">{props.description}</p>}
      </div>
      {props.actions && <div className="page-actions">{props.actions}</div>}
    </header>
  );
}

/** A text whose `backticked` parts are code (commands, claims), shown as code rather than backticks. */
export function WithCode(props: { text: string }) {
  const parts = props.text.split("`");
  // An unpaired backtick is shown as it is: only complete pairs are code.
  if (parts.length % 2 === 0) return props.text;
  return parts.map((part, index) =>
    index % 2 === 1 ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text never move
      <code key={index}>{part}</code>
    ) : (
      part
    ),
  );
}

const SKELETON_KEYS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];

export function Loading(props: { label?: string; rows?: number }) {
  const t = useT();
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="visually-hidden">{props.label ?? t("state.loading")}</span>
      {SKELETON_KEYS.slice(0, props.rows ?? 4).map((key) => (
        <div key={key} className="skeleton" aria-hidden="true" />
      ))}
    </div>
  );
}

export function EmptyState(props: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{props.title}</p>
      {props.children && <p className="muted">{props.children}</p>}
      {props.action}
    </div>
  );
}

export function ErrorState(props: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  return (
    <div className="banner banner-error" role="alert">
      <p>{t("state.error", { message: messageOf(props.error) })}</p>
      {props.onRetry && (
        <button type="button" className="button" onClick={props.onRetry}>
          {t("state.retry")}
        </button>
      )}
    </div>
  );
}

export function Banner(props: { tone: "error" | "success" | "warning" | "info"; children: ReactNode }) {
  return (
    <div className={`banner banner-${props.tone}`} role={props.tone === "error" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}

export function Badge(props: { tone?: string; children: ReactNode }) {
  return <span className={`badge badge-${props.tone ?? "neutral"}`}>{props.children}</span>;
}

/** A modal dialog on the native `<dialog>`: focus moves in, Escape closes, focus returns on close. */
export function Dialog(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      className={props.wide ? "dialog dialog-wide" : "dialog"}
      aria-labelledby={titleId}
      onClose={props.onClose}
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      {props.open && (
        <>
          <h2 id={titleId} className="dialog-title">
            {props.title}
          </h2>
          <div className="dialog-body">{props.children}</div>
          {props.footer && <div className="dialog-footer">{props.footer}</div>}
        </>
      )}
    </dialog>
  );
}

export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const t = useT();
  return (
    <Dialog
      open={props.open}
      title={props.title}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" className="button" onClick={props.onClose}>
            {t("action.cancel")}
          </button>
          <button
            type="button"
            className={props.danger ? "button button-danger" : "button button-primary"}
            disabled={props.busy}
            onClick={props.onConfirm}
          >
            {props.confirmLabel}
          </button>
        </>
      }
    >
      <div>{props.body}</div>
      {props.error ? <ErrorState error={props.error} /> : null}
    </Dialog>
  );
}

export function CopyButton(props: { value: string; label?: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button-small"
      onClick={async () => {
        await navigator.clipboard?.writeText(props.value).catch(() => {});
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? t("action.copied") : (props.label ?? t("action.copy"))}
      <span className="visually-hidden" aria-live="polite">
        {copied ? t("action.copied") : ""}
      </span>
    </button>
  );
}

/** A secret shown once, with a copy button and a plain warning. */
export function ShownOnce(props: { label: string; value: string }) {
  const t = useT();
  return (
    <div className="shown-once">
      <p className="strong">{t("secret.shownOnce")}</p>
      <div className="secret-row">
        <code title={props.label} className="secret-value">
          {props.value}
        </code>
        <CopyButton value={props.value} />
      </div>
    </div>
  );
}

export function formatDateTime(value: string | null | undefined, locale: string): string {
  if (!value) return "—";
  return new Intl.DateTimeFormat(locale === "sv" ? "sv-SE" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(value));
}
