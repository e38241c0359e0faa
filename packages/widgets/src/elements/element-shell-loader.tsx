import { lazy, Suspense } from "react";
import { WidgetRoot } from "../provider/WidgetRoot.js";
import { loadFailedText } from "../shared/problem.js";
import type { ElementShellProps, ShellParts } from "./ElementShell.js";

// The element widgets' shell is its own chunk: hosts that never show an element never load it.
const LazyShell = lazy(() =>
  import("./ElementShell.js").then((module) => ({ default: module.ElementShell })),
);
const parts: ShellParts = { WidgetRoot, loadFailedText };

/** `ElementShell`, loaded on first use; a busy card until then. */
export function ElementShell(props: Omit<ElementShellProps, "parts">) {
  return (
    <Suspense
      fallback={
        <WidgetRoot i18n={props.i18n} className={props.className}>
          <section className="tnt-card" aria-busy="true" />
        </WidgetRoot>
      }
    >
      <LazyShell {...props} parts={parts} />
    </Suspense>
  );
}
