import "@tenantry/widgets/styles.css";
import "./host.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { SettingsPage } from "./SettingsPage";

// Where Tenantry is comes from the host's backend (server.ts), so one build runs anywhere.
async function start(): Promise<void> {
  const response = await fetch("/api/tenantry-config");
  if (!response.ok) throw new Error(`/api/tenantry-config answered ${response.status}`);
  const { baseUrl } = (await response.json()) as { baseUrl: string };
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <SettingsPage tenantryUrl={baseUrl} />
    </StrictMode>,
  );
}

void start();
