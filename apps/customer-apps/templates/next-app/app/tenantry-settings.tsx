"use client";

import { TenantryProvider } from "@tenantry/widgets";
import type { ReactNode } from "react";

// The route handler in app/api/tenantry-token signs a token for the signed-in user and their tenant.
const getToken = async () =>
  ((await (await fetch("/api/tenantry-token", { method: "POST" })).json()) as { token: string }).token;

export function TenantrySettings({ tenantryUrl, children }: { tenantryUrl: string; children: ReactNode }) {
  return (
    <TenantryProvider baseUrl={tenantryUrl} getToken={getToken} theme="system">
      {children}
    </TenantryProvider>
  );
}
