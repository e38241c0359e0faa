import { describe, expect, it } from "vitest";
import { checkJwksUrl, JwksError, jwksMaxAgeSeconds } from "./jwks";
import { claimAt, mappedClaims } from "./verify";

const strict = { allowHosts: new Set<string>() };

describe("JWKS URLs Tenantry may fetch", () => {
  it("takes https on public addresses and refuses http, credentials and private or loopback addresses", async () => {
    await expect(
      checkJwksUrl("https://login.example.com/.well-known/jwks.json", strict),
    ).resolves.toBeInstanceOf(URL);
    for (const [url, reason] of [
      ["http://login.example.com/jwks", "must be https"],
      ["https://user:pw@login.example.com/jwks", "credentials"],
      ["https://10.0.0.7/jwks", "private or loopback"],
      ["https://169.254.169.254/latest", "private or loopback"],
      ["https://[::1]/jwks", "private or loopback"],
      ["https://[::ffff:127.0.0.1]/jwks", "private or loopback"],
      ["https://localhost/jwks", "loopback host"],
      ["ftp://login.example.com/jwks", "must be https"],
    ] as const) {
      await expect(checkJwksUrl(url, strict), url).rejects.toThrow(reason);
    }
  });

  it("refuses a name that resolves to a private address, unless the host is allow-listed", async () => {
    const resolve = async (hostname: string) =>
      hostname === "internal.example" ? ["192.168.1.5"] : ["93.184.215.14"];
    await expect(
      checkJwksUrl("https://internal.example/jwks", { ...strict, resolve }),
    ).rejects.toBeInstanceOf(JwksError);
    await expect(checkJwksUrl("https://public.example/jwks", { ...strict, resolve })).resolves.toBeInstanceOf(
      URL,
    );
    const allowHosts = new Set(["internal.example", "127.0.0.1:9000"]);
    await expect(
      checkJwksUrl("http://internal.example/jwks", { allowHosts, resolve }),
    ).resolves.toBeInstanceOf(URL);
    await expect(checkJwksUrl("http://127.0.0.1:9000/jwks", { allowHosts })).resolves.toBeInstanceOf(URL);
    await expect(checkJwksUrl("http://127.0.0.1:9001/jwks", { allowHosts })).rejects.toThrow("must be https");
  });
});

describe("Cache-Control of a JWKS", () => {
  it("is clamped to 60 s – 24 h, with 10 minutes when absent and the minimum for no-store", () => {
    expect(jwksMaxAgeSeconds("public, max-age=300")).toBe(300);
    expect(jwksMaxAgeSeconds("max-age=5")).toBe(60);
    expect(jwksMaxAgeSeconds("max-age=31536000")).toBe(86_400);
    expect(jwksMaxAgeSeconds(null)).toBe(600);
    expect(jwksMaxAgeSeconds("no-store")).toBe(60);
  });
});

describe("claims mapping", () => {
  it("reads a namespaced claim by its full name and a nested one by its path", () => {
    const payload = { "https://host.example/org": "acme", org: { id: "nested", name: "Acme" } };
    expect(claimAt(payload, "https://host.example/org")).toBe("acme");
    expect(claimAt(payload, "org.id")).toBe("nested");
    expect(claimAt(payload, "org.missing")).toBeUndefined();
    expect(claimAt(payload, "__proto__.constructor")).toBeUndefined();
  });

  it("maps an array or space-separated permissions claim, and refuses other shapes", () => {
    const paths = {
      tenant: "org_id",
      userId: "sub",
      email: "email",
      firstName: "given_name",
      lastName: "family_name",
      tenantName: "org_name",
      permissions: "permissions",
    };
    const base = { org_id: "acme", sub: "u1", exp: 2_000_000_000 };
    expect(mappedClaims({ ...base, permissions: ["a:b", "c:d"] }, paths)).toMatchObject({
      ok: true,
      narrowedTo: new Set(["a:b", "c:d"]),
    });
    expect(mappedClaims({ ...base, scope: "a:b c:d" }, { ...paths, permissions: "scope" })).toMatchObject({
      ok: true,
      narrowedTo: new Set(["a:b", "c:d"]),
    });
    expect(mappedClaims(base, paths)).toMatchObject({ ok: true, narrowedTo: null });
    expect(mappedClaims({ ...base, permissions: { a: 1 } }, paths)).toMatchObject({ ok: false });
    expect(mappedClaims({ sub: "u1" }, paths)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("org_id"),
    });
  });
});
