import type { HTMLAttributes, ReactNode } from "react";
import type { I18n } from "../i18n/i18n.js";
import { useTheme } from "./TenantryProvider.js";

/**
 * Every widget renders inside this: the scope of the stylesheet (`.tnt-root`, with its own reset),
 * the theme (`data-theme`) and the language of its texts (`lang`, for screen readers). While the
 * texts of a language other than English load (a few milliseconds, once), it stays empty and busy
 * rather than flash English.
 */
export function WidgetRoot({
  i18n,
  className,
  children,
  ...rest
}: { i18n: I18n; children: ReactNode } & HTMLAttributes<HTMLDivElement>) {
  const theme = useTheme();
  return (
    <div
      {...rest}
      className={className ? `tnt-root ${className}` : "tnt-root"}
      data-theme={theme}
      lang={i18n.locale}
      {...(i18n.ready ? {} : { "aria-busy": true })}
    >
      {i18n.ready ? children : null}
    </div>
  );
}
