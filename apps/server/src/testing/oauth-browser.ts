/**
 * A browser as the OAuth flow sees one: a cookie jar for Tenantry's origin (what `Set-Cookie` put
 * there, sent back on every request to it) and redirects followed one at a time. Two of these are two
 * browsers: one cannot present the other's cookie.
 */
export interface OAuthBrowser {
  /** Tenantry's cookies in this browser, by name. */
  cookies: Map<string, string>;
  /** One request, no redirect followed, with this browser's cookies for Tenantry. */
  visit(url: string, headers?: Record<string, string>): Promise<Response>;
  /** Opens the `authorizationUrl` (Tenantry's start URL) and answers the provider URL it is sent to. */
  start(authorizationUrl: string): Promise<string>;
  /** At an auto-approving provider: answers the callback URL it sends the browser back to. */
  approve(providerUrl: string): Promise<string>;
  /** `start`, then `approve`. */
  callbackUrl(authorizationUrl: string): Promise<string>;
}

export function oauthBrowser(tenantryUrl: string): OAuthBrowser {
  const origin = new URL(tenantryUrl).origin;
  const cookies = new Map<string, string>();
  const redirected = async (response: Response, what: string) => {
    const location = response.headers.get("location");
    if (response.status !== 302 || !location) {
      throw new Error(`${what} answered ${response.status} instead of a redirect: ${await response.text()}`);
    }
    return location;
  };
  const browser: OAuthBrowser = {
    cookies,
    async visit(url, headers = {}) {
      const toTenantry = new URL(url).origin === origin;
      const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join("; ");
      const response = await fetch(url, {
        redirect: "manual",
        headers: { ...headers, ...(toTenantry && cookie ? { cookie } : {}) },
      });
      if (toTenantry) {
        for (const line of response.headers.getSetCookie()) {
          const [pair = ""] = line.split(";");
          const [name = "", ...value] = pair.split("=");
          cookies.set(name.trim(), value.join("="));
        }
      }
      return response;
    },
    async start(authorizationUrl) {
      return redirected(await browser.visit(authorizationUrl), "the start URL");
    },
    async approve(providerUrl) {
      return redirected(await browser.visit(providerUrl), "the provider");
    },
    async callbackUrl(authorizationUrl) {
      return browser.approve(await browser.start(authorizationUrl));
    },
  };
  return browser;
}
