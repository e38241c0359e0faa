import { createRoot } from "react-dom/client";
import { MemberTable } from "../member-table/MemberTable.js";
import { TenantryProvider } from "../provider/TenantryProvider.js";
import { UsageMeter } from "../usage-meter/UsageMeter.js";

/** A host page for browser tests: the widget named in the page's config, against a real Tenantry. */
const config = JSON.parse(document.getElementById("config")!.textContent!) as {
  tenantry: string;
  token: string;
  widget: "members" | "usage";
};
createRoot(document.getElementById("root")!).render(
  <TenantryProvider baseUrl={config.tenantry} token={config.token} locale="en">
    {config.widget === "members" ? <MemberTable /> : <UsageMeter />}
  </TenantryProvider>,
);
