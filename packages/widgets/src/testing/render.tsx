import { QueryClient } from "@tanstack/react-query";
import type { AppRouter } from "@tenantry/api";
import { render } from "@testing-library/react";
import type { TRPCLink } from "@trpc/client";
import type { ReactNode } from "react";
import { TenantryProvider, type TenantryProviderProps } from "../provider/TenantryProvider.js";

/** Renders widgets under a provider whose calls reach the real router through `link`. */
export function renderWithTenantry(
  ui: ReactNode,
  options: { link: TRPCLink<AppRouter> } & Partial<Omit<TenantryProviderProps, "children" | "link">>,
) {
  // 4xx never retries anyway; no retries here keeps error states immediate.
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <TenantryProvider baseUrl="http://tenantry.invalid" queryClient={queryClient} {...options}>
      {ui}
    </TenantryProvider>,
  );
}
