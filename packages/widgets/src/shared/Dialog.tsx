import { type ReactNode, useEffect, useId, useRef } from "react";

export interface DialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  /** Esc, the close button or a click on the backdrop. */
  onClose: () => void;
  /** Buttons and the like, at the bottom right. */
  actions?: ReactNode;
}

/**
 * A modal dialog on the native `<dialog>`: the browser traps focus, makes the page behind it inert,
 * closes on Esc and gives focus back to what opened it. Rendered inside a widget's `.tnt-root`, so
 * it keeps the widget's theme and styles. For the member table's invite and confirmation dialogs.
 */
export function Dialog({ open, title, children, onClose, actions }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: a click on the backdrop closes; its keyboard twin is Esc (native)
    <dialog
      ref={ref}
      className="tnt-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
    >
      {open && (
        <div className="tnt-dialog-body">
          <h2 id={titleId} className="tnt-dialog-title">
            {title}
          </h2>
          <div className="tnt-dialog-content">{children}</div>
          {actions && <div className="tnt-dialog-actions">{actions}</div>}
        </div>
      )}
    </dialog>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, in words (e.g. "Anna loses access to Acme at once."). */
  description: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  /** Destructive actions get the danger style, and focus starts on Cancel. */
  destructive?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before an action; the safe choice has the focus when the action is destructive. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const descriptionId = useId();
  return (
    <Dialog
      open={props.open}
      title={props.title}
      onClose={props.onCancel}
      actions={
        <>
          <button
            type="button"
            className="tnt-button"
            // biome-ignore lint/a11y/noAutofocus: the dialog opened on the user's action; Cancel is the safe default
            autoFocus={props.destructive}
            onClick={props.onCancel}
          >
            {props.cancelLabel}
          </button>
          <button
            type="button"
            className={
              props.destructive ? "tnt-button tnt-button-danger-solid" : "tnt-button tnt-button-primary"
            }
            aria-describedby={descriptionId}
            disabled={props.busy}
            onClick={props.onConfirm}
          >
            {props.confirmLabel}
          </button>
        </>
      }
    >
      <p id={descriptionId}>{props.description}</p>
    </Dialog>
  );
}
