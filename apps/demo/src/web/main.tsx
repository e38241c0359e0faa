import "@tenantry/widgets/styles.css";
import "./host.css";
import {
  ConnectionUI,
  ElementConfigForm,
  FieldMappingEditor,
  MemberTable,
  TenantFieldsForm,
  TenantryProvider,
  UsageMeter,
} from "@tenantry/widgets";
import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";

/** The host's own backend hands out Tenantry access tokens for the signed-in user (see ../backend.ts). */
async function getToken(): Promise<string> {
  const response = await fetch("/api/tenantry-token", { method: "POST" });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

interface Session {
  tenantryUrl: string;
  user: { name: string; email: string };
  organization: string;
}

function App({ session }: { session: Session }) {
  const [theme, setTheme] = useState<"light" | "dark">("light");
  return (
    <div className="host" data-theme={theme}>
      <header className="host-header">
        <strong>Northwind Cloud</strong>
        <span className="host-org">{session.organization}</span>
        <span className="host-spacer" />
        <button
          type="button"
          className="host-button"
          aria-pressed={theme === "dark"}
          onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
        >
          Dark theme
        </button>
        <span className="host-user">{session.user.name}</span>
      </header>
      <main className="host-main">
        <h1>Organization settings</h1>
        <TenantryProvider baseUrl={session.tenantryUrl} getToken={getToken} theme={theme}>
          <TenantFieldsForm />
          <MemberTable />
          <UsageMeter />
          <ConnectionUI />
          {/* The keys of the element templates the demo's seed creates (../seed.ts). */}
          <ElementConfigForm type="flow" elementKey="contact-sync" />
          <FieldMappingEditor type="field_mapping" elementKey="contacts-sync" />
        </TenantryProvider>
      </main>
    </div>
  );
}

void fetch("/api/session")
  .then((response) => response.json() as Promise<Session>)
  .then((session) =>
    createRoot(document.getElementById("app")!).render(
      <StrictMode>
        <App session={session} />
      </StrictMode>,
    ),
  );
