// First: the session and first page requests (also a chunk of its own, named first in index.html).
import "./first-requests";
import "@tenantry/widgets/styles.css";
import "./styles.css";
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { getQueryKey } from "@trpc/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { queryClient, trpc, trpcClient } from "./api";
import { TENANTS_PAGE_SIZE, takeFirstTenantsPage } from "./first-requests";
import { PrefsProvider } from "./prefs";
import { router } from "./router";

// The tenants list's first page, already on its way (first-requests.ts): the list's query waits for
// that answer instead of asking again; should it have failed, the query asks as usual.
const firstPage = takeFirstTenantsPage();
if (firstPage) {
  const input = { limit: TENANTS_PAGE_SIZE };
  void queryClient.prefetchQuery({
    queryKey: getQueryKey(trpc.tenants.list, input, "query"),
    queryFn: async () => (await firstPage) ?? trpcClient.tenants.list.query(input),
  });
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <PrefsProvider>
          <RouterProvider router={router} />
        </PrefsProvider>
      </QueryClientProvider>
    </trpc.Provider>
  </StrictMode>,
);
