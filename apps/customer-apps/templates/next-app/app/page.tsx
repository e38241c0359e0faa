import { ConnectionUI, MemberTable, TenantFieldsForm } from "@tenantry/widgets";
import { connection } from "next/server";
import { version } from "react";
import { TenantrySettings } from "./tenantry-settings";

// A server component: it renders the widgets (client components: the package says "use client")
// inside the provider, which lives in a client component because getToken is a function.
export default async function SettingsPage() {
  await connection(); // rendered per request, so TENANTRY_URL is read at run time, not at build time
  return (
    <main className="host">
      <header>
        <h1>Organization settings</h1>
        <p className="host-stack">Next.js with React {version}</p>
      </header>
      <TenantrySettings tenantryUrl={process.env.TENANTRY_URL ?? "http://127.0.0.1:4000"}>
        <TenantFieldsForm />
        <MemberTable />
        <ConnectionUI />
      </TenantrySettings>
    </main>
  );
}
