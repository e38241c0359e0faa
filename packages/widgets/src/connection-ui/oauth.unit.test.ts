import { describe, expect, it } from "vitest";
import { OAUTH_MESSAGE_TYPE, oauthResultOf, redirectResultOf, withoutRedirectResult } from "./oauth.js";

const TENANTRY = "https://tenantry.example.com";
const message = (origin: string, data: unknown) => ({ origin, data }) as MessageEvent;

describe("the OAuth popup protocol, browser side", () => {
  it("accepts a result only from Tenantry's exact origin and of the protocol's type", () => {
    const data = { type: OAUTH_MESSAGE_TYPE, connectionId: "conn_1", status: "connected" };
    expect(oauthResultOf(message(TENANTRY, data), TENANTRY)).toEqual({
      connectionId: "conn_1",
      status: "connected",
      errorCode: null,
    });
    for (const origin of [
      "https://evil.example",
      "https://tenantry.example.com:8443",
      "http://tenantry.example.com",
      "null",
    ]) {
      expect(oauthResultOf(message(origin, data), TENANTRY)).toBeNull();
    }
    expect(oauthResultOf(message(TENANTRY, data), null)).toBeNull();
    expect(oauthResultOf(message(TENANTRY, { ...data, type: "other" }), TENANTRY)).toBeNull();
    expect(oauthResultOf(message(TENANTRY, { ...data, status: "maybe" }), TENANTRY)).toBeNull();
    // A replayed sign-in fails before its connection is known: still a result, about no connection.
    expect(oauthResultOf(message(TENANTRY, { ...data, connectionId: null }), TENANTRY)?.connectionId).toBe(
      "",
    );
    expect(oauthResultOf(message(TENANTRY, "tenantry:oauth-result"), TENANTRY)).toBeNull();
    expect(oauthResultOf(message(TENANTRY, null), TENANTRY)).toBeNull();
  });

  it("carries the error code of a failed sign-in, provider_error when none is given", () => {
    const failed = { type: OAUTH_MESSAGE_TYPE, connectionId: "conn_1", status: "error" };
    expect(
      oauthResultOf(
        message(TENANTRY, { ...failed, error: { code: "invalid_state", message: "x" } }),
        TENANTRY,
      )?.errorCode,
    ).toBe("invalid_state");
    expect(oauthResultOf(message(TENANTRY, failed), TENANTRY)?.errorCode).toBe("provider_error");
  });

  it("reads the redirect's query parameters and removes only them", () => {
    const href =
      "https://app.example.com/settings?tab=apps&tenantry_connection=conn_9&tenantry_status=error&tenantry_error=provider_unavailable#apps";
    expect(redirectResultOf(href)).toEqual({
      connectionId: "conn_9",
      status: "error",
      errorCode: "provider_unavailable",
    });
    expect(withoutRedirectResult(href)).toBe("https://app.example.com/settings?tab=apps#apps");
    expect(redirectResultOf("https://app.example.com/settings?tab=apps")).toBeNull();
    expect(
      redirectResultOf("https://app.example.com/?tenantry_connection=conn_9&tenantry_status=odd"),
    ).toBeNull();
    expect(
      redirectResultOf("https://app.example.com/?tenantry_connection=conn_9&tenantry_status=connected"),
    ).toEqual({ connectionId: "conn_9", status: "connected", errorCode: null });
  });
});
