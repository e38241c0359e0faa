import { describe, expect, it } from "vitest";
import { clientAddress, NO_TRUSTED_PROXIES, parseTrustedProxies, throttledAddress } from "./client-address";

describe("TENANTRY_TRUSTED_PROXIES", () => {
  it("takes IP addresses and CIDR ranges, v4 and v6, and nothing else", () => {
    expect(parseTrustedProxies(undefined)).toEqual([]);
    expect(parseTrustedProxies(" 10.0.0.0/8, 127.0.0.1 ,::1, fd00::/8,")).toHaveLength(4);
    for (const bad of ["10.1", "10.0.0.0/33", "proxy.internal", "10.0.0.0/8/1", "::1/129", "1.2.3.4/x"]) {
      expect(() => parseTrustedProxies(bad), bad).toThrow(`"${bad}" is not an IP address or CIDR range`);
    }
  });
});

describe("the client address", () => {
  const trusted = parseTrustedProxies("127.0.0.1, 10.0.0.0/8");

  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9", NO_TRUSTED_PROXIES)).toBe("127.0.0.1");
    expect(clientAddress("198.51.100.7", "203.0.113.9", trusted)).toBe("198.51.100.7");
  });

  it("is the right-most address no trusted proxy wrote, when the peer is a trusted proxy", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9", trusted)).toBe("203.0.113.9");
    // The client forged the left part; the proxies appended the rest.
    expect(clientAddress("10.1.2.3", "1.1.1.1, 203.0.113.9, 10.0.0.5", trusted)).toBe("203.0.113.9");
    // Several headers count as one list, in order.
    expect(clientAddress("127.0.0.1", ["1.1.1.1", "203.0.113.9"], trusted)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:127.0.0.1", "2001:db8::1", trusted)).toBe("2001:db8::1");
    expect(clientAddress("127.0.0.1", "[2001:db8::2]:4711", trusted)).toBe("2001:db8::2");
    expect(clientAddress("127.0.0.1", "203.0.113.9:4711", trusted)).toBe("203.0.113.9");
  });

  it("stops at the last trusted proxy when a forwarded entry is no address, and without the header", () => {
    expect(clientAddress("127.0.0.1", "203.0.113.9, not-an-ip", trusted)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "not-an-ip, 10.0.0.7", trusted)).toBe("10.0.0.7");
    expect(clientAddress("127.0.0.1", undefined, trusted)).toBe("127.0.0.1");
    expect(clientAddress("127.0.0.1", "10.0.0.7, 10.0.0.8", trusted)).toBe("10.0.0.7");
  });

  it("reads IPv4-mapped peers as IPv4", () => {
    expect(clientAddress("::ffff:127.0.0.1", undefined, NO_TRUSTED_PROXIES)).toBe("127.0.0.1");
  });
});

describe("the address throttling counts", () => {
  it("is an IPv4 address, or the /64 of an IPv6 one", () => {
    expect(throttledAddress("203.0.113.9")).toBe("203.0.113.9");
    expect(throttledAddress("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(throttledAddress("2001:db8:1:2:bbbb::9")).toBe("2001:db8:1:2::/64");
  });
});
