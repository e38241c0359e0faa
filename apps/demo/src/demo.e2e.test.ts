import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ProviderProcess, startProviderProcess } from "@tenantry/oauth-provider/process";
import { startTestServer, type TestServer } from "@tenantry/server/testing/test-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoBackend } from "./backend";
import { allowOrigin, type DemoSeed, seedDemo } from "./seed";

/**
 * The demo host app end to end in a real Chromium: its pages (built with Vite) and its backend (which
 * signs access tokens) against a real Tenantry HTTP server. Screenshots go to test-artifacts/demo/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// A developer without Chromium skips this suite; CI fails instead of passing it untested.
const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI;
// `pnpm test` runs this once per driver at the same time: each run has its own screenshots and build.
const driver = process.env.TENANTRY_TEST_DRIVER ?? "pglite";
const artifacts = fileURLToPath(new URL(`../../../test-artifacts/demo/${driver}/`, import.meta.url));
const demoRoot = fileURLToPath(new URL("..", import.meta.url));

if (skipBrowser) console.warn(`demo e2e skipped: ${CHROMIUM} is missing (install Debian's chromium)`);

describe.skipIf(skipBrowser)("the demo host app in Chromium against a real Tenantry server", () => {
  let tenantry: TestServer;
  let demo: { url: string; server: Server };
  let seed: DemoSeed;
  let browser: Browser;
  let page: Page;
  let provider: ProviderProcess;

  const api = async <T>(path: string): Promise<T> => {
    const response = await tenantry.call("GET", `/api/v1${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const shot = (name: string) => page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    tenantry = await startTestServer();
    const outDir = mkdtempSync(join(tmpdir(), "tenantry-demo-pages-"));
    await build({ configFile: `${demoRoot}vite.config.ts`, logLevel: "warn", build: { outDir } });
    provider = await startProviderProcess();
    seed = await seedDemo(tenantry.url, tenantry.apiKey, { oauthProvider: provider });
    demo = await startDemoBackend({
      tenantryUrl: tenantry.url,
      signingKey: seed.signingKey,
      organization: seed.organization,
      user: seed.user,
      staticDir: outDir,
    });
    await allowOrigin(tenantry.url, tenantry.apiKey, demo.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on("pageerror", (error) => console.error("page error:", error));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    demo?.server.closeAllConnections();
    await new Promise<void>((resolve) => (demo ? demo.server.close(() => resolve()) : resolve()));
    await Promise.all([tenantry?.close(), provider?.stop()]);
  });

  it("loads the host page with the fields form and the member table", async () => {
    await page.goto(demo.url);
    await page.getByText("Amara Okafor").waitFor({ timeout: 20_000 });
    await expect(page.getByLabel(/Company name/).inputValue()).resolves.toBe("Northwind Traders");
    await shot("01-loaded");
  });

  it("embeds all six widgets, with the host's favicon and a system font", async () => {
    // Each widget is its own root: fields, members, usage, connections, a flow's settings, a mapping.
    await expect.poll(() => page.locator(".tnt-root").count()).toBe(6);
    await page.getByText(/84\s?% of the limit used/).waitFor();
    await expect(page.getByLabel(/Every \(minutes\)/).inputValue()).resolves.toBe("60");
    await expect.poll(() => page.getByLabel("Import: Name").inputValue()).toBe("f:full_name");

    const icon = await page.locator('link[rel="icon"]').getAttribute("href");
    const favicon = await fetch(new URL(icon!, demo.url));
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toBe("image/svg+xml");
    const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    expect(font).toMatch(/^system-ui,/);
    expect(font).not.toMatch(/Georgia|(^|,\s*)serif/);
    await shot("01b-every-widget");
  });

  it("customizes the flow's schedule through the element form", async () => {
    const flow = page.locator("section", { has: page.getByRole("heading", { name: "Contact sync" }) });
    await flow.getByLabel(/Every \(minutes\)/).fill("15");
    await flow.getByRole("button", { name: "Save changes" }).click();
    await flow.getByText("Customized").first().waitFor();
    const elements = await api<{ items: { key: string; overrides: Record<string, unknown> }[] }>(
      `/tenants/${seed.tenantId}/elements`,
    );
    expect(elements.items.find((element) => element.key === "contact-sync")?.overrides).toEqual({
      "/schedule/every": 15,
    });
  });

  it("invites a member", async () => {
    await page.getByRole("button", { name: "Invite member" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite a member" });
    await dialog.getByLabel(/Email/).fill("noor.haddad@northwind.example");
    await dialog.getByLabel("First name").fill("Noor");
    await dialog.getByLabel("Last name").fill("Haddad");
    await shot("02-invite-dialog");
    await dialog.getByRole("button", { name: "Send invitation" }).click();
    await page.getByText("Invitation sent to noor.haddad@northwind.example.").waitFor();
    await page.getByText("Noor Haddad").waitFor();
    const list = await api<{ items: { status: string; user: { email: string } }[] }>(
      `/tenants/${seed.tenantId}/memberships?q=noor`,
    );
    expect(list.items).toMatchObject([
      { status: "invited", user: { email: "noor.haddad@northwind.example" } },
    ]);
  });

  it("suspends a member after confirming", async () => {
    await page.getByRole("button", { name: "Manage Amara Okafor" }).click();
    await page
      .getByRole("dialog", { name: "Manage Amara Okafor" })
      .getByRole("button", { name: "Suspend" })
      .click();
    const confirm = page.getByRole("dialog", { name: "Suspend Amara Okafor?" });
    await shot("03-confirm-suspend");
    await confirm.getByRole("button", { name: "Suspend" }).click();
    await page.getByText("Amara Okafor is suspended.").waitFor();
    const list = await api<{ items: { status: string }[] }>(`/tenants/${seed.tenantId}/memberships?q=amara`);
    expect(list.items).toMatchObject([{ status: "suspended" }]);
    await shot("04-suspended");
  });

  it("edits a field and saves it", async () => {
    const name = page.getByLabel(/Company name/);
    await name.fill("Northwind Traders AB");
    await page.locator(".tnt-fields").getByRole("button", { name: "Save changes" }).click();
    await page.locator(".tnt-fields").getByText("Changes saved.").waitFor();
    const fields = await api<{ values: { companyName: string } }>(`/tenants/${seed.tenantId}/fields`);
    expect(fields.values.companyName).toBe("Northwind Traders AB");
  });

  it("shows a validation error and saves nothing", async () => {
    await page.getByLabel(/Billing email/).fill("not-an-email");
    await page.locator(".tnt-fields").getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Enter an email address, like name@example.com.").waitFor();
    await expect(page.getByLabel(/Billing email/).getAttribute("aria-invalid")).resolves.toBe("true");
    const fields = await api<{ values: { billingEmail: string } }>(`/tenants/${seed.tenantId}/fields`);
    expect(fields.values.billingEmail).toBe("billing@northwind.example");
    await shot("05-validation-error");
  });

  it("connects an API-key app through the connection UI's parameters form", async () => {
    await page.getByRole("button", { name: "Connect Acme CRM" }).click();
    const dialog = page.getByRole("dialog", { name: "Connect Acme CRM" });
    await dialog.getByLabel(/API key/).fill("acme-live-0123456789");
    await dialog.getByRole("button", { name: "Connect" }).click();
    await page.getByText("Acme CRM is connected.").waitFor();
    await page.getByRole("button", { name: "Disconnect Acme CRM" }).waitFor();
    const list = await api<{ items: { status: string }[] }>(`/tenants/${seed.tenantId}/connections`);
    expect(list.items).toMatchObject([{ status: "connected" }]);
    await shot("06-connected");
  });

  it("connects the OAuth app in a popup: the user allows at the provider, the widget shows it connected", async () => {
    const popupOpened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Connect Loopback CRM" }).click();
    const popup = await popupOpened;
    await popup.getByRole("button", { name: "Allow" }).click();
    await popup.waitForEvent("close", { timeout: 20_000 });
    await page.getByText("Loopback CRM is connected.").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Disconnect Loopback CRM" }).waitFor();
    const list = await api<{ items: { id: string; status: string; appId: string }[] }>(
      `/tenants/${seed.tenantId}/connections`,
    );
    expect(list.items.map((c) => c.status)).toEqual(["connected", "connected"]);
    // The host's backend now reads a working access token.
    const credentials = await api<{ type: string; accessToken: string }>(
      `/connections/${list.items[0]!.id}/credentials`,
    );
    expect(credentials.type).toBe("oauth2");
    await shot("07-oauth-connected");
  });

  it("switches to the dark theme", async () => {
    await page.getByRole("button", { name: "Dark theme" }).click();
    await page.locator('.tnt-root[data-theme="dark"]').first().waitFor();
    expect(await page.locator('.tnt-root[data-theme="dark"]').count()).toBe(6);
    const background = await page
      .locator(".tnt-members .tnt-card")
      .evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(background).toBe("rgb(23, 26, 33)");
    await shot("08-dark");
  });
});
