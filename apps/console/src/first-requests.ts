/**
 * The console's first requests, started by this tiny module (its own script, listed first in
 * index.html) while the browser still loads and parses the app's much larger script: the session,
 * and — on the tenants list, the first screen — its first page, which needs the session's CSRF
 * token. The app takes each answer once (`takeFirstSession`, `takeFirstTenantsPage`); later calls
 * go out as usual. No inline script: CSP `script-src 'self'` holds. Imports nothing, so it stays
 * small and runs as soon as it arrives.
 */

/** The tenants list's page size (TenantsPage); the first page's input is `{ limit }` alone. */
export const TENANTS_PAGE_SIZE = 25;

type FirstPage = { items: unknown[]; nextCursor: string | null };

const onTenantsList =
  (location.pathname === "/tenants" || location.pathname === "/tenants/" || location.pathname === "/") &&
  location.search === "";

let session: Promise<Response> | null = fetch("/console/session", { credentials: "same-origin" });
// Never an unhandled rejection here: whoever takes the promise sees the failure.
session.catch(() => {});

let tenantsPage: Promise<FirstPage | null> | null = onTenantsList
  ? session
      .then(async (response) => {
        if (!response.ok) return null;
        const { csrfToken } = (await response.clone().json()) as { csrfToken?: string };
        if (!csrfToken) return null;
        const input = encodeURIComponent(JSON.stringify({ 0: { limit: TENANTS_PAGE_SIZE } }));
        const answer = await fetch(`/trpc/tenants.list?batch=1&input=${input}`, {
          credentials: "same-origin",
          headers: { "x-tenantry-csrf": csrfToken },
        });
        if (!answer.ok) return null;
        const [first] = (await answer.json()) as [{ result?: { data?: FirstPage } }];
        return first?.result?.data ?? null;
      })
      .catch(() => null)
  : null;

/** The session request this module started, once; null after (or when it was taken already). */
export function takeFirstSession(): Promise<Response> | null {
  const taken = session;
  session = null;
  return taken;
}

/** The tenants list's first page (`{ limit: TENANTS_PAGE_SIZE }`) if it was fetched here, once. */
export function takeFirstTenantsPage(): Promise<FirstPage | null> | null {
  const taken = tenantsPage;
  tenantsPage = null;
  return taken;
}
