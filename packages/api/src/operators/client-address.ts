import ipaddr from "ipaddr.js";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The proxies whose `X-Forwarded-For` is believed (`TENANTRY_TRUSTED_PROXIES`), as parsed ranges. */
export type TrustedProxies = readonly (readonly [Address, number])[];

export const NO_TRUSTED_PROXIES: TrustedProxies = [];

/**
 * Parses `TENANTRY_TRUSTED_PROXIES`: comma-separated IP addresses or CIDR ranges (`10.0.0.0/8`,
 * `::1`). IPv4 must be written as four decimal parts, so `10.1` is not taken for `10.0.0.1`.
 * Throws an Error naming the first entry that is neither.
 */
export function parseTrustedProxies(text: string | undefined): TrustedProxies {
  const ranges: (readonly [Address, number])[] = [];
  for (const entry of (text ?? "").split(",").map((part) => part.trim())) {
    if (!entry) continue;
    const [host = "", bits, ...rest] = entry.split("/");
    const strictHost = ipaddr.IPv4.isValidFourPartDecimal(host) || ipaddr.IPv6.isValid(host);
    if (!strictHost || rest.length > 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
    try {
      ranges.push(bits === undefined ? wholeAddress(ipaddr.parse(host)) : ipaddr.parseCIDR(entry));
    } catch {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
  }
  return ranges;
}

function wholeAddress(address: Address): readonly [Address, number] {
  const normalized = unmapped(address);
  return [normalized, normalized.kind() === "ipv4" ? 32 : 128];
}

/** `::ffff:10.0.0.1` (how a dual-stack socket reports IPv4 peers) is `10.0.0.1`. */
function unmapped(address: Address): Address {
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** An address as written by a socket or a proxy: plain, `[v6]:port` or `v4:port`; null when none. */
function parseAddress(text: string): Address | null {
  let host = text.trim();
  const bracketed = host.match(/^\[([^\]]+)\](?::\d+)?$/);
  if (bracketed) host = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(host)) host = host.slice(0, host.lastIndexOf(":"));
  if (!ipaddr.IPv4.isValidFourPartDecimal(host) && !ipaddr.IPv6.isValid(host)) return null;
  try {
    return unmapped(ipaddr.parse(host));
  } catch {
    return null;
  }
}

function isTrusted(address: Address, trusted: TrustedProxies): boolean {
  return trusted.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/**
 * Who is on the other end of a request. The socket's peer, unless that peer is a trusted proxy:
 * then `X-Forwarded-For` is read from the right, skipping trusted proxies, and the first address
 * that is not one is the client (everything left of it was written by the client and proves
 * nothing). A forwarded entry that is no address stops the walk at the last proxy that was trusted,
 * so garbage in the header never makes a fresh address. Answers the address in canonical form.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  const socket = peer ? parseAddress(peer) : null;
  if (!socket) return peer || "unknown";
  let client = socket;
  if (isTrusted(socket, trusted) && forwardedFor !== undefined) {
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
      .split(",")
      .map((hop) => hop.trim())
      .filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = parseAddress(hops[i]!);
      if (!hop) break;
      client = hop;
      if (!isTrusted(hop, trusted)) break;
    }
  }
  return canonical(client);
}

function canonical(address: Address): string {
  return address.kind() === "ipv4" ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
}

/**
 * What sign-in throttling counts per address: an IPv4 address, or the /64 an IPv6 address is in
 * (one subscriber usually holds a whole /64, so counting single IPv6 addresses would count nothing).
 */
export function throttledAddress(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed) return address;
  if (parsed.kind() === "ipv4") return canonical(parsed);
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${canonical(new ipaddr.IPv6([...parts, 0, 0, 0, 0]))}/64`;
}
