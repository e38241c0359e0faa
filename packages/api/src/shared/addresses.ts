import ipaddr from "ipaddr.js";

/**
 * Whether an IP address is a public unicast one (an IPv4-mapped IPv6 address judged as its IPv4).
 * Tenantry refuses to call private, loopback and link-local addresses on a URL someone else named.
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  if (!ipaddr.isValid(bare)) return false;
  let parsed = ipaddr.parse(bare);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === "unicast";
}

export function isIpAddress(text: string): boolean {
  return ipaddr.isValid(text.replace(/^\[|\]$/g, ""));
}

/** Comma-separated host names (optionally `name:port`), in lower case: the `*_ALLOW_HOSTS` settings. */
export function parseAllowHosts(text: string | undefined): ReadonlySet<string> {
  return new Set(
    (text ?? "")
      .split(",")
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  );
}
