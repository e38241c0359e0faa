import { WEBHOOK_URL_MAX_LENGTH } from "@tenantry/contracts/webhooks";
import { isIpAddress, isPublicAddress } from "../shared/addresses";
import { appError } from "../shared/errors";

export interface WebhookUrlPolicy {
  /**
   * `TENANTRY_WEBHOOK_ALLOW_HOSTS`: hosts (names or `name:port`) that may be called over http or on a
   * private or loopback address, for development and tests. Every other endpoint is https on a public address.
   */
  allowHosts: ReadonlySet<string>;
  /** Resolves a host name to all its addresses (the Node server's DNS); without it only literal addresses are judged. */
  resolve?: (hostname: string) => Promise<string[]>;
}

export const DEFAULT_WEBHOOK_URL_POLICY: WebhookUrlPolicy = { allowHosts: new Set() };

function refused(message: string) {
  return appError("BAD_REQUEST", "invalid_webhook_url", message, {
    issues: [{ path: "url", message }],
  });
}

/**
 * A name that does not resolve now may later (DNS is not the endpoint's fault at save time); it is
 * resolved and judged again before every delivery, where failing to resolve fails the attempt.
 */
async function resolveOrNothing(policy: WebhookUrlPolicy, hostname: string): Promise<string[]> {
  if (!policy.resolve) return [];
  try {
    return await policy.resolve(hostname);
  } catch {
    return [];
  }
}

/**
 * Refuses an endpoint URL Tenantry must not call: too long, not a URL, not https (http only for
 * allow-listed hosts), credentials in it, or a loopback, private or link-local address, as written
 * or as resolved. Checked when an endpoint is saved and again before every delivery, since DNS can change.
 */
export async function checkWebhookUrl(text: string, policy: WebhookUrlPolicy): Promise<URL> {
  if (text.length > WEBHOOK_URL_MAX_LENGTH) {
    throw refused(`url must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused("url is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw refused(`url must be https, not ${url.protocol}`);
  }
  if (url.username || url.password) throw refused("url may not carry credentials (user:password@)");
  const allowed =
    policy.allowHosts.has(url.hostname.toLowerCase()) || policy.allowHosts.has(url.host.toLowerCase());
  if (url.protocol === "http:" && !allowed) {
    throw refused("url must be https (http only for hosts in TENANTRY_WEBHOOK_ALLOW_HOSTS)");
  }
  if (allowed) return url;
  const hostname = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (hostname === "localhost" || hostname.endsWith(".localhost")) {
    throw refused(`${url.host} is a loopback host; add it to TENANTRY_WEBHOOK_ALLOW_HOSTS for development`);
  }
  const addresses = isIpAddress(hostname) ? [hostname] : await resolveOrNothing(policy, hostname);
  const privateOne = addresses.find((address) => !isPublicAddress(address));
  if (privateOne !== undefined) {
    throw refused(
      `${url.host} is a private, loopback or link-local address (${privateOne}); add it to TENANTRY_WEBHOOK_ALLOW_HOSTS for development`,
    );
  }
  return url;
}
