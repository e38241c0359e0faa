import { ConnectionUI, MemberTable, TenantFieldsForm, TenantryProvider } from "@tenantry/widgets";
import { version } from "react";

// Your backend's endpoint that signs a token for the signed-in user and their tenant (server.ts).
const getToken = async () =>
  ((await (await fetch("/api/tenantry-token", { method: "POST" })).json()) as { token: string }).token;

export function SettingsPage({ tenantryUrl }: { tenantryUrl: string }) {
  return (
    <main className="host">
      <header>
        <h1>Organization settings</h1>
        <p className="host-stack">Vite with React {version}</p>
      </header>
      <TenantryProvider baseUrl={tenantryUrl} getToken={getToken} theme="system">
        <TenantFieldsForm />
        <MemberTable />
        <ConnectionUI />
      </TenantryProvider>
    </main>
  );
}
