import { QueryClient } from "@tanstack/react-query";
import type { AppRouter } from "@tenantry/api";
import { TenantFieldsForm, TenantryProvider } from "@tenantry/widgets";
import type { TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import { useState } from "react";
import { usePrefs } from "../prefs";
import { orderOf, type SchemaDocument } from "../schema-draft";

const PREVIEW_TENANT_ID = "tenant_00000000-0000-7000-8000-000000000000";

/**
 * Answers the two calls the fields form makes from the unsaved schema, so the real widget renders
 * the draft exactly as tenants will see it once it is saved. Nothing leaves the browser.
 */
function draftLink(document: SchemaDocument): TRPCLink<AppRouter> {
  let values: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(document.properties)) {
    if (field.default !== undefined) values[name] = field.default;
  }
  const answer = (path: string, input: unknown) => {
    if (path === "accessTokens.me") {
      return {
        tenant: { id: PREVIEW_TENANT_ID, locale: null },
        member: null,
        permissions: ["fields:read", "fields:write"],
      };
    }
    if (path === "fields.patchForTenant") {
      values = { ...values, ...((input as { fields?: Record<string, unknown> }).fields ?? {}) };
    }
    return {
      tenantId: PREVIEW_TENANT_ID,
      values,
      secretFieldsSet: [],
      issues: [],
      fieldsStatus: { complete: true, missing: [], invalid: [] },
      schema: { schema: document, version: 1, updatedAt: null, order: orderOf(document) },
      tenantVersion: 1,
    };
  };
  return () =>
    ({ op }) =>
      observable((observer) => {
        observer.next({ result: { type: "data", data: answer(op.path, op.input) } });
        observer.complete();
      });
}

export function SchemaPreview(props: { document: SchemaDocument }) {
  // Remounted per draft: the preview never shows a cached answer for an older draft.
  return <DraftPreview key={JSON.stringify(props.document)} document={props.document} />;
}

function DraftPreview(props: { document: SchemaDocument }) {
  const { theme, language, t } = usePrefs();
  const [queryClient] = useState(() => new QueryClient());
  const [link] = useState(() => draftLink(props.document));
  return (
    <TenantryProvider
      baseUrl=""
      link={link}
      tenantId={PREVIEW_TENANT_ID}
      queryClient={queryClient}
      theme={theme}
      locale={language === "sv" ? "sv-SE" : "en"}
    >
      <TenantFieldsForm title={t("schema.previewTitle")} />
    </TenantryProvider>
  );
}
