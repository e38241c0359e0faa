import { TenantryProvider } from "@tenantry/widgets";
import type { ReactNode } from "react";
import { consoleLink, queryClient } from "../api";
import { usePrefs } from "../prefs";

/**
 * The embeddable widgets in operator mode: they act on `tenantId` through the console's own session
 * (cookie + CSRF header), with every permission, in the console's theme and language.
 */
export function OperatorWidgets(props: { tenantId: string; children: ReactNode }) {
  const { theme, language } = usePrefs();
  return (
    <TenantryProvider
      baseUrl=""
      link={consoleLink}
      tenantId={props.tenantId}
      queryClient={queryClient}
      theme={theme}
      locale={language === "sv" ? "sv-SE" : "en"}
    >
      {props.children}
    </TenantryProvider>
  );
}
