import "@tenantry/widgets/styles.css";
import "./styles.css";
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { queryClient, trpc, trpcClient } from "./api";
import { PrefsProvider } from "./prefs";
import { router } from "./router";

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
