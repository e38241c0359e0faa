import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { appSettingsFor, type ProviderProcess, startProviderProcess } from "@tenantry/oauth-provider/process";
import { SignJWT } from "jose";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

/**
 * The OAuth2 popup flow in a real Chromium: a host page on its own origin (allowed by the workspace)
 * holds an access token, starts a connection, opens the provider in a popup; the user clicks Allow
 * at the provider; Tenantry's callback posts the result back to exactly the host's origin and closes.
 * Without a popup, the same flow returns the whole tab to `returnTo`. Both go through Tenantry's start
 * URL first, whose cookie binds the sign-in to this browser: another browser's callback is refused.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// A developer without Chromium skips this suite; CI fails instead of passing it untested.
const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI;

const HOST_SCRIPT = `
const config = JSON.parse(document.getElementById("config").textContent);
const headers = { authorization: "Bearer " + config.token, "content-type": "application/json" };
const out = document.getElementById("result");
window.addEventListener("message", (event) => {
  out.textContent = JSON.stringify({ origin: event.origin, data: event.data });
});
async function start(returnTo) {
  const me = await (await fetch(config.tenantry + "/api/v1/me", { headers })).json();
  const response = await fetch(config.tenantry + "/api/v1/tenants/" + me.tenant.id + "/connections", {
    method: "POST", headers, body: JSON.stringify({ appKey: "loopback", returnTo }),
  });
  return (await response.json()).authorizationUrl;
}
document.getElementById("popup").addEventListener("click", async () => {
  const popup = window.open("about:blank", "tenantry-oauth", "popup,width=600,height=720");
  popup.location.href = await start(location.href);
});
document.getElementById("tab").addEventListener("click", async () => {
  location.assign(await start(location.href));
});
if (location.search) out.textContent = JSON.stringify(Object.fromEntries(new URLSearchParams(location.search)));
`;

describe.skipIf(skipBrowser)("the OAuth popup in Chromium", () => {
  let tenantry: TestServer;
  let provider: ProviderProcess;
  let host: Server;
  let hostUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    [tenantry, provider] = await Promise.all([startTestServer(), startProviderProcess()]);
    const signingKey = (await (
      await tenantry.call("POST", "/api/v1/signing-keys", { algorithm: "HS256", name: "host" })
    ).json()) as { id: string; secret: string };
    const token = await new SignJWT({
      sub: "host-org-1",
      name: "Popup Co",
      scope: "connections:read connections:write",
    })
      .setProtectedHeader({ alg: "HS256", kid: signingKey.id })
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(signingKey.secret));
    host = createServer((req, res) => {
      if (req.url === "/host.js") {
        res.writeHead(200, { "content-type": "text/javascript" });
        return res.end(HOST_SCRIPT);
      }
      res.writeHead(200, {
        "content-type": "text/html",
        "content-security-policy": `default-src 'self'; connect-src 'self' ${tenantry.url}`,
      });
      res.end(`<!doctype html><title>Host app</title>
<script type="application/json" id="config">${JSON.stringify({ tenantry: tenantry.url, token })}</script>
<button id="popup">Connect in a popup</button><button id="tab">Connect in this tab</button>
<pre id="result"></pre><script src="/host.js"></script>`);
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    // Another origin than Tenantry's: a different host name for the same loopback address.
    hostUrl = `http://localhost:${(host.address() as AddressInfo).port}`;
    expect((await tenantry.call("PUT", "/api/v1/allowed-origins", { origins: [hostUrl] })).status).toBe(200);
    expect(
      (
        await tenantry.call("POST", "/api/v1/apps", {
          key: "loopback",
          name: "Loopback CRM",
          authType: "oauth2",
          oauth2: appSettingsFor(provider),
        })
      ).status,
    ).toBe(201);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    host?.closeAllConnections();
    await new Promise<void>((resolve) => (host ? host.close(() => resolve()) : resolve()));
    await Promise.all([tenantry?.close(), provider?.stop()]);
  });

  it("posts the result to the host's exact origin and closes the popup", async () => {
    const page = await browser.newPage();
    await page.goto(hostUrl);
    const popupOpened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Connect in a popup" }).click();
    const popup = await popupOpened;
    await popup.getByRole("button", { name: "Allow" }).click();
    await popup.waitForEvent("close", { timeout: 20_000 });
    const result = JSON.parse((await page.locator("#result").textContent({ timeout: 20_000 }))!) as {
      origin: string;
      data: { type: string; status: string; connectionId: string };
    };
    expect(result.origin).toBe(tenantry.url);
    expect(result.data).toMatchObject({ type: "tenantry:oauth-result", status: "connected" });
    const connection = (await (
      await tenantry.call("GET", `/api/v1/connections/${result.data.connectionId}`)
    ).json()) as {
      status: string;
    };
    expect(connection.status).toBe("connected");
    await page.close();
  });

  it("reports a denial at the provider in the popup's message", async () => {
    const page = await browser.newPage();
    await page.goto(hostUrl);
    const popupOpened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Connect in a popup" }).click();
    const popup = await popupOpened;
    await popup.getByRole("button", { name: "Deny" }).click();
    await page.locator("#result").filter({ hasText: "error" }).waitFor({ timeout: 20_000 });
    const result = JSON.parse((await page.locator("#result").textContent())!) as {
      data: { status: string; error: { code: string; message: string } };
    };
    expect(result.data).toMatchObject({ status: "error", error: { code: "provider_error" } });
    expect(result.data.error.message).toContain("denied");
    await page.close();
  });

  it("refuses the callback in another browser, and the browser that started it still connects", async () => {
    // The member's browser: its popup gets as far as the provider sending it back, and is held there
    // (the provider's redirect is taken out of the answer to the Allow button).
    const member = await browser.newContext();
    const page = await member.newPage();
    let held!: (url: string) => void;
    const callbackUrl = new Promise<string>((resolve) => {
      held = resolve;
    });
    const DECISION = `${provider.url}/authorize/decision`;
    await member.route(DECISION, async (route) => {
      const answer = await route.fetch({ maxRedirects: 0 });
      held(answer.headers().location!);
      await route.fulfill({ status: 200, contentType: "text/html", body: "<title>Held</title>" });
    });
    await page.goto(hostUrl);
    const popupOpened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Connect in a popup" }).click();
    const popup = await popupOpened;
    await popup.getByRole("button", { name: "Allow" }).click();
    const url = await callbackUrl;
    expect(url.startsWith(`${tenantry.url}/oauth/callback?`)).toBe(true);

    // Someone else's browser brings the same callback back (a link passed on): 400, nothing changes,
    // and the page sends that browser back to the host with the error.
    const other = await browser.newContext();
    const stranger = await other.newPage();
    const answered = stranger.waitForResponse((response) => response.url() === url);
    await stranger.goto(url).catch(() => undefined); // the page moves on to returnTo at once
    expect((await answered).status()).toBe(400);
    await stranger.waitForURL((at) => at.origin === hostUrl && at.searchParams.has("tenantry_error"));
    const query = new URL(stranger.url()).searchParams;
    expect(query.get("tenantry_error")).toBe("invalid_state");
    const connectionId = query.get("tenantry_connection")!;
    expect(connectionId).toMatch(/^conn_/);
    const status = async () =>
      (
        (await (await tenantry.call("GET", `/api/v1/connections/${connectionId}`)).json()) as {
          status: string;
        }
      ).status;
    expect(await status()).toBe("pending");

    // The member's popup goes on to the same callback: connected, posted to the host, closed.
    await Promise.all([popup.waitForEvent("close"), popup.goto(url).catch(() => undefined)]);
    await page.locator("#result").filter({ hasText: "connected" }).waitFor({ timeout: 20_000 });
    expect(JSON.parse((await page.locator("#result").textContent())!)).toMatchObject({
      origin: tenantry.url,
      data: { status: "connected", connectionId },
    });
    expect(await status()).toBe("connected");
    await Promise.all([member.close(), other.close()]);
  });

  it("without a popup, returns the tab to the host page with the outcome in the query", async () => {
    const page = await browser.newPage();
    await page.goto(hostUrl);
    await page.getByRole("button", { name: "Connect in this tab" }).click();
    await page.getByRole("button", { name: "Allow" }).click();
    await page.waitForURL((url) => url.origin === hostUrl && url.searchParams.has("tenantry_status"), {
      timeout: 20_000,
    });
    const query = new URL(page.url()).searchParams;
    expect(query.get("tenantry_status")).toBe("connected");
    expect(query.get("tenantry_connection")).toMatch(/^conn_/);
    await page.close();
  });
});
