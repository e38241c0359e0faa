import type { IncomingMessage } from "node:http";
import { bindingCookieHeader } from "@tenantry/api/server-runtime";
import { describe, expect, it } from "vitest";
import { bindingCookieOf } from "./oauth-start";

const NONCE = "n".repeat(43);
const request = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;

describe("the OAuth binding cookie", () => {
  it("is a __Host- cookie, Secure, HttpOnly and SameSite=Lax on https", () => {
    expect(bindingCookieHeader("https://tenantry.example.com", NONCE)).toBe(
      `__Host-tenantry_oauth_binding=${NONCE}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure`,
    );
    // Plain http (development, loopback tests) cannot carry a Secure or __Host- cookie.
    expect(bindingCookieHeader("http://127.0.0.1:4000", NONCE)).toBe(
      `tenantry_oauth_binding=${NONCE}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax`,
    );
  });

  it("is read under the name for the public URL's scheme only", () => {
    const https = "https://tenantry.example.com";
    expect(bindingCookieOf(request(`a=1; __Host-tenantry_oauth_binding=${NONCE}; b=2`), https)).toBe(NONCE);
    // On https a cookie without the prefix could have been planted by a subdomain: it does not count.
    expect(bindingCookieOf(request(`tenantry_oauth_binding=${NONCE}`), https)).toBeUndefined();
    expect(bindingCookieOf(request(`tenantry_oauth_binding=${NONCE}`), "http://127.0.0.1:4000")).toBe(NONCE);
    expect(bindingCookieOf(request(), https)).toBeUndefined();
  });
});
