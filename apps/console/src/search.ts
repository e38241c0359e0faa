/** The tenants list's filters and page, kept in the URL so every view can be linked to. */
export interface TenantsSearch {
  q?: string | undefined;
  status?: "active" | "suspended" | "archived" | undefined;
  kind?: "standard" | "enterprise" | "trial" | undefined;
  plan?: string | undefined;
  cursor?: string | undefined;
}
