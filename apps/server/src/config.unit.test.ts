import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

describe("TENANTRY_TRUSTED_PROXIES", () => {
  it("trusts no proxy unless set", () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TENANTRY_TRUSTED_PROXIES: "" }).trustedProxies).toEqual([]);
  });

  it("takes comma-separated addresses and CIDR ranges", () => {
    expect(
      loadConfig({ TENANTRY_TRUSTED_PROXIES: "10.0.0.0/8, 127.0.0.1, ::1" }).trustedProxies,
    ).toHaveLength(3);
  });

  it("stops the start with one line naming the variable and the bad entry", () => {
    expect(() => loadConfig({ TENANTRY_TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal" })).toThrow(ConfigError);
    expect(() => loadConfig({ TENANTRY_TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal" })).toThrow(
      'TENANTRY_TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges ("proxy.internal" is not an IP address or CIDR range)',
    );
  });
});

describe("TENANTRY_JWKS_ALLOW_HOSTS", () => {
  it("allows no host unless set, and reads comma-separated hosts in lower case", () => {
    expect([...loadConfig({}).jwksAllowHosts]).toEqual([]);
    expect([
      ...loadConfig({ TENANTRY_JWKS_ALLOW_HOSTS: "127.0.0.1, IdP.local:8443," }).jwksAllowHosts,
    ]).toEqual(["127.0.0.1", "idp.local:8443"]);
  });
});

describe("TENANTRY_EVENT_RETENTION_DAYS", () => {
  it("keeps events 30 days unless set, and refuses what is not a whole number of days", () => {
    expect(loadConfig({}).eventRetentionDays).toBe(30);
    expect(loadConfig({ TENANTRY_EVENT_RETENTION_DAYS: "7" }).eventRetentionDays).toBe(7);
    expect(() => loadConfig({ TENANTRY_EVENT_RETENTION_DAYS: "0" })).toThrow(
      'TENANTRY_EVENT_RETENTION_DAYS must be from 1 to 3650 (got "0")',
    );
  });
});

describe("TENANTRY_WEBHOOK_ALLOW_HOSTS", () => {
  it("allows no host unless set, and reads comma-separated hosts in lower case", () => {
    expect([...loadConfig({}).webhookAllowHosts]).toEqual([]);
    expect([
      ...loadConfig({ TENANTRY_WEBHOOK_ALLOW_HOSTS: "127.0.0.1:8080, Hooks.Local" }).webhookAllowHosts,
    ]).toEqual(["127.0.0.1:8080", "hooks.local"]);
  });
});
