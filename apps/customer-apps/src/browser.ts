import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { CATALOG_APP, TEXT_FIELD, type Tenantry } from "./tenantry";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Debian's Chromium, never a browser a tool downloads. Missing is a failure, not a skip. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    timeout: 60_000,
  });
}

export interface PageCheck {
  name: string;
  ok: boolean;
  details: string;
}

export interface HostIdentity {
  organization: { id: string; name: string };
  user: { id: string; email: string };
}

const WAIT_MS = 30_000;

/** The checks `checkPage` answers, in order. */
export const PAGE_CHECKS = [
  "page loads",
  "member rows rendered",
  "field form inputs rendered",
  "connection UI app list rendered",
  "edited field saved and read back over /api/v1",
  "no page errors or console errors",
] as const;

/**
 * Opens a host app's settings page and checks what a customer sees: the member table with the
 * signed-in user's row, the fields form's inputs, the connection UI's app list; edits the text
 * field, saves, and reads the value back over the REST API; and no page errors or console errors
 * all along. Saves a full-page screenshot.
 */
export async function checkPage(options: {
  browser: Browser;
  url: string;
  tenantry: Tenantry;
  host: HostIdentity;
  newValue: string;
  screenshot: string;
}): Promise<PageCheck[]> {
  const { browser, url, tenantry, host } = options;
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.stack ?? error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()}`);
  });
  // A request that never got an answer is a failure too; one the page cancelled (ERR_ABORTED:
  // a superseded query, a prefetch) is not.
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "";
    if (!reason.includes("ERR_ABORTED"))
      problems.push(`request failed: ${request.method()} ${request.url()} ${reason}`);
  });
  const results: PageCheck[] = [];
  const step = async (name: string, body: () => Promise<string | undefined>) => {
    try {
      results.push({ name, ok: true, details: (await body()) ?? "" });
    } catch (error) {
      results.push({
        name,
        ok: false,
        details: (error as Error).message.split("\n").slice(0, 12).join("\n"),
      });
    }
  };

  try {
    await step("page loads", async () => {
      const response = await page.goto(url, { waitUntil: "load", timeout: WAIT_MS });
      if (!response?.ok()) throw new Error(`GET ${url} answered ${response?.status()}`);
      return undefined;
    });
    if (!results[0]?.ok) {
      for (const name of PAGE_CHECKS.slice(1))
        results.push({ name, ok: false, details: "not run: the page did not load" });
      return results;
    }
    await step("member rows rendered", async () => {
      const row = page.locator(".tnt-table tbody tr", { hasText: host.user.email });
      await row.first().waitFor({ timeout: WAIT_MS });
      const rows = await page.locator(".tnt-table tbody tr").count();
      return `${rows} row(s); the signed-in user's: ${((await row.first().textContent()) ?? "").replace(/\s+/g, " ").trim()}`;
    });
    await step("field form inputs rendered", async () => {
      const input = page.getByLabel(TEXT_FIELD.label, { exact: false }).first();
      await input.waitFor({ timeout: WAIT_MS });
      const tag = await input.evaluate((element) => element.tagName.toLowerCase());
      if (tag !== "input") throw new Error(`"${TEXT_FIELD.label}" labels a <${tag}>, not an <input>`);
      const count = await page.locator(".tnt-form input, .tnt-form select, .tnt-form textarea").count();
      return `${count} input(s) in the form`;
    });
    await step("connection UI app list rendered", async () => {
      const app = page.locator(".tnt-app-list .tnt-app", { hasText: CATALOG_APP.name });
      await app.first().waitFor({ timeout: WAIT_MS });
      await page.getByRole("button", { name: `Connect ${CATALOG_APP.name}` }).waitFor({ timeout: WAIT_MS });
      return `${await page.locator(".tnt-app-list .tnt-app").count()} app(s) listed`;
    });
    await step("edited field saved and read back over /api/v1", async () => {
      const input = page.getByLabel(TEXT_FIELD.label, { exact: false }).first();
      await input.fill(options.newValue, { timeout: WAIT_MS });
      await page.getByRole("button", { name: "Save changes" }).click({ timeout: WAIT_MS });
      const tenants = await tenantry.api<{ items: { id: string }[] }>(
        "GET",
        `/tenants?internalId=${encodeURIComponent(host.organization.id)}`,
      );
      const tenantId = tenants.items[0]?.id;
      if (!tenantId) throw new Error(`no tenant with internalId ${host.organization.id}`);
      const deadline = Date.now() + 15_000;
      let seen: unknown;
      while (Date.now() < deadline) {
        const fields = await tenantry.api<{ values: Record<string, unknown> }>(
          "GET",
          `/tenants/${tenantId}/fields`,
        );
        seen = fields.values[TEXT_FIELD.name];
        if (seen === options.newValue)
          return `GET /api/v1/tenants/${tenantId}/fields → ${JSON.stringify(seen)}`;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(
        `the API still answers ${JSON.stringify(seen)}, not ${JSON.stringify(options.newValue)}`,
      );
    });
    // Late errors (a refetch after saving) count too.
    await page.waitForTimeout(500);
    await page.screenshot({ path: options.screenshot, fullPage: true }).catch(() => {});
    results.push({
      name: "no page errors or console errors",
      ok: problems.length === 0,
      details: problems.join("\n"),
    });
  } finally {
    await context.close().catch(() => {});
  }
  return results;
}
