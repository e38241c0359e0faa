import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createOperator } from "@tenantry/api/operators";
import { verifyWebhook } from "@tenantry/client";
import { TENANT_ACTIVITY_ACTIONS } from "@tenantry/contracts/activity-actions";
import { hashOperatorPassword } from "@tenantry/server/operator-passwords";
import { startTestServer, type TestServer } from "@tenantry/server/testing/test-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The operator console end to end in a real Chromium against the real server on a fresh database:
 * its build is made here (as `pnpm start` makes it), axe runs on every page, and every page is
 * saved as a screenshot to test-artifacts/console/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// A developer without Chromium skips this suite; CI fails instead of passing it untested.
const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI;
const driver = process.env.TENANTRY_TEST_DRIVER ?? "pglite";
const artifacts = fileURLToPath(new URL(`../../../test-artifacts/console/${driver}/`, import.meta.url));
const consoleRoot = fileURLToPath(new URL("..", import.meta.url));
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const EMAIL = "ada@host.example";
const COLLEAGUE = "grace@host.example";
const PASSWORD = "correct horse battery staple";

if (skipBrowser) console.warn(`console e2e skipped: ${CHROMIUM} is missing (install Debian's chromium)`);

// Generous per-test time: CI runs this beside every other suite on two cores.
describe.skipIf(skipBrowser)(
  "the operator console in Chromium against a real Tenantry server",
  { timeout: 90_000 },
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let tenantId: string;
    let temporaryPassword: string;
    const pageErrors: string[] = [];
    /** A host's webhook receiver on loopback: it keeps every delivery and answers 200. */
    let receiver: Server;
    let receiverUrl: string;
    const deliveries: { headers: IncomingHttpHeaders; body: string }[] = [];

    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await server.call(method, `/api/v1${path}`, body);
      expect(response.status, `${method} ${path}`).toBeLessThan(300);
      return (await response.json()) as T;
    };

    /** axe (WCAG 2.0–2.2 A and AA, colour contrast included) on the page as it is, then a screenshot. */
    async function check(name: string) {
      await page.waitForFunction(() => !document.querySelector('[aria-busy="true"], .skeleton'), null, {
        timeout: 15_000,
      });
      if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(axeSource);
      const violations = (await page.evaluate(`
      window.axe
        .run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] })
        .then((result) => result.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))
    `)) as string[];
      await page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
      expect(violations, `axe on ${name}`).toEqual([]);
    }

    beforeAll(async () => {
      mkdirSync(artifacts, { recursive: true });
      const outDir = mkdtempSync(join(tmpdir(), "tenantry-console-"));
      await build({
        configFile: `${consoleRoot}vite.config.ts`,
        logLevel: "warn",
        build: { outDir, minify: !process.env.CONSOLE_E2E_DEBUG },
      });
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
          response.writeHead(200, { "content-type": "text/plain" }).end("received");
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      server = await startTestServer({
        consoleDistDir: outDir,
        webhookAllowHosts: new Set(["127.0.0.1"]),
        webhookWorker: true,
      });
      await createOperator(server.handle.db, {
        workspaceId: server.workspaceId,
        email: EMAIL,
        name: "Ada Lovelace",
        passwordHash: await hashOperatorPassword(PASSWORD),
      });
      await createOperator(server.handle.db, {
        workspaceId: server.workspaceId,
        email: COLLEAGUE,
        name: "Grace Hopper",
        passwordHash: await hashOperatorPassword(PASSWORD),
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      page = await browser.newPage({ viewport: { width: 1360, height: 900 }, colorScheme: "light" });
      page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      page.on("console", (message) => {
        if (process.env.CONSOLE_E2E_DEBUG)
          console.log("browser:", message.type(), message.text().slice(0, 2000));
      });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      receiver?.closeAllConnections();
      await new Promise((resolve) => receiver?.close(resolve));
    });

    it("refuses a wrong password, then signs in and lands on the tenants list", async () => {
      await page.goto(`${server.url}/tenants`);
      await page.getByLabel("Email").fill(EMAIL);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByText("Wrong email or password.").waitFor();
      await check("01-sign-in-refused");
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Tenants", level: 1 }).waitFor();
      await page.getByText("No tenants yet").waitFor();
      await check("02-tenants-empty");
    });

    it("defines a schema with a text, a select and a secret field, previewed live", async () => {
      await page.getByRole("link", { name: "Tenant field schema" }).click();
      const addField = async (fill: () => Promise<void>) => {
        await page.getByRole("button", { name: "Add field" }).click();
        await fill();
        await page.getByRole("button", { name: "Apply" }).click();
      };
      await addField(async () => {
        await page.getByLabel("Name (key)").fill("companyName");
        await page.getByLabel("Title", { exact: true }).fill("Company name");
        await page.getByLabel("Max length").fill("20");
        await page.getByLabel("Required").check();
      });
      await addField(async () => {
        await page.getByLabel("Name (key)").fill("region");
        await page.getByLabel("Type").selectOption("select");
        await page.getByLabel("Title", { exact: true }).fill("Data region");
        await page.getByLabel("Options (one per line)").fill("eu\nus");
      });
      await addField(async () => {
        await page.getByLabel("Name (key)").fill("apiToken");
        await page.getByLabel("Type").selectOption("secret");
        await page.getByLabel("Title", { exact: true }).fill("API token");
      });
      // The preview is the real fields form rendering the unsaved draft.
      const preview = page.getByRole("region", { name: "Preview" });
      await preview.getByLabel(/Data region/).waitFor();
      await check("03-schema-draft");
      await page.getByRole("button", { name: "Save schema" }).click();
      await page.getByText("Schema saved. Every stored tenant fits it.").waitFor();
      const saved = await api<{ schema: { properties: Record<string, unknown>; required: string[] } }>(
        "GET",
        "/tenant-field-schema",
      );
      expect(Object.keys(saved.schema.properties).sort()).toEqual(["apiToken", "companyName", "region"]);
      expect(saved.schema.required).toEqual(["companyName"]);
    });

    it("creates a tenant and shows exactly the schema's fields; a value that breaks the schema is refused on its field", async () => {
      await page.getByRole("link", { name: "Tenants" }).click();
      await page.getByRole("button", { name: "Create tenant" }).first().click();
      const dialog = page.getByRole("dialog", { name: "Create tenant" });
      await dialog.getByLabel("Name", { exact: true }).fill("Acme Corp");
      await dialog.getByLabel("Plan").fill("pro");
      // The schema's required field is asked for at creation.
      await dialog.getByLabel("Company name").fill("Acme");
      await check("04-create-tenant-dialog");
      await dialog.getByRole("button", { name: "Create tenant" }).click();
      await page.getByRole("heading", { name: /Acme Corp/, level: 1 }).waitFor();
      tenantId = page.url().match(/tenants\/(tenant_[^/]+)\//)![1]!;
      await check("05-tenant-profile");

      // A field the schema does not name, set by a token or the API, is kept but never shown.
      await api("PATCH", `/tenants/${tenantId}/fields`, { fields: { legacyKey: "hidden" } });
      await page.getByRole("link", { name: "Fields", exact: true }).click();
      const form = page.locator(".tnt-fields");
      await form.getByLabel(/Company name/).waitFor();
      // Exactly the schema's fields, in its order: a text, a select and a secret (which has no input).
      const labels = await form
        .locator(".tnt-field")
        .evaluateAll((fields) =>
          fields.map((field) =>
            (field.querySelector("label, .tnt-label")?.textContent ?? "")
              .replace(/[*]|\(?required\)?/gi, "")
              .trim(),
          ),
        );
      expect(labels).toEqual(["Company name", "Data region", "API token"]);
      await expect(form.getByText("legacyKey").count()).resolves.toBe(0);
      await expect(form.getByLabel(/legacy/i).count()).resolves.toBe(0);

      // The required field emptied: a value the schema refuses, named on its field; nothing is saved.
      await form.getByLabel(/Company name/).fill("");
      await form.getByRole("button", { name: "Save changes" }).click();
      await expect.poll(() => form.getByLabel(/Company name/).getAttribute("aria-invalid")).toBe("true");
      await check("06-tenant-fields-error");
      const stored = await api<{ values: Record<string, unknown> }>("GET", `/tenants/${tenantId}/fields`);
      expect(stored.values.companyName).toBe("Acme");
    });

    it("invites a member and suspends one, through the member table in operator mode", async () => {
      await api("POST", `/tenants/${tenantId}/memberships`, {
        email: "amara@acme.example",
        firstName: "Amara",
        lastName: "Okafor",
        type: "admin",
        status: "active",
      });
      await page.getByRole("link", { name: "Members" }).click();
      await page.getByText("Amara Okafor").waitFor();
      await page.getByRole("button", { name: "Invite member" }).click();
      const invite = page.getByRole("dialog", { name: "Invite a member" });
      await invite.getByLabel(/Email/).fill("noor@acme.example");
      await invite.getByLabel("First name").fill("Noor");
      await invite.getByLabel("Last name").fill("Haddad");
      await invite.getByRole("button", { name: "Send invitation" }).click();
      await page.getByText("Noor Haddad").waitFor();

      await page.getByRole("button", { name: "Manage Amara Okafor" }).click();
      await page
        .getByRole("dialog", { name: "Manage Amara Okafor" })
        .getByRole("button", { name: "Suspend" })
        .click();
      await page
        .getByRole("dialog", { name: "Suspend Amara Okafor?" })
        .getByRole("button", { name: "Suspend" })
        .click();
      await page.getByText("Amara Okafor is suspended.").waitFor();
      await check("07-tenant-members");
      const members = await api<{ items: { status: string; user: { email: string } }[] }>(
        "GET",
        `/tenants/${tenantId}/memberships`,
      );
      expect(Object.fromEntries(members.items.map((m) => [m.user.email, m.status]))).toEqual({
        "amara@acme.example": "suspended",
        "noor@acme.example": "invited",
      });
    });

    it("shows the other tabs, the activity log naming the operator, and suspends the tenant after confirming", async () => {
      await api("POST", "/apps", {
        key: "helpdesk",
        name: "Helpdesk",
        authType: "api_key",
        parametersSchema: {
          type: "object",
          required: ["apiKey"],
          properties: { apiKey: { type: "string", title: "API key" } },
        },
      });
      for (const [tab, name] of [
        ["Credentials", "08-tenant-credentials"],
        ["Connections", "09-tenant-connections"],
        ["Usage", "10-tenant-usage"],
      ] as const) {
        await page.getByRole("link", { name: tab, exact: true }).click();
        await check(name);
      }
      // The operator connects an app for the tenant through ConnectionUI in operator mode.
      await page.getByRole("link", { name: "Connections", exact: true }).click();
      await page.getByRole("button", { name: "Connect Helpdesk" }).click();
      const connect = page.getByRole("dialog", { name: "Connect Helpdesk" });
      await connect.getByLabel(/API key/).fill("hd-key-0123456789");
      await connect.getByRole("button", { name: "Connect" }).click();
      await page.getByRole("button", { name: "Disconnect Helpdesk" }).waitFor();
      const connections = await api<{ items: { status: string }[] }>(
        "GET",
        `/tenants/${tenantId}/connections`,
      );
      expect(connections.items).toMatchObject([{ status: "connected" }]);

      await page.getByRole("link", { name: "Activity" }).click();
      await page.getByRole("cell", { name: "tenant.created" }).waitFor();
      await expect
        .poll(() => page.getByRole("cell", { name: `Operator ${EMAIL}` }).count())
        .toBeGreaterThan(0);
      await check("11-tenant-activity");
      // The filter offers exactly the actions the server records, and finds ones an older list lacked.
      const filter = page.locator("#activity-action");
      const offered = await filter
        .locator("option")
        .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
      expect(offered).toEqual(["", ...TENANT_ACTIVITY_ACTIONS]);
      await filter.selectOption("membership.invited");
      await page.getByRole("cell", { name: "membership.invited" }).waitFor();
      await expect.poll(() => page.getByRole("cell", { name: "tenant.created" }).count()).toBe(0);
      await filter.selectOption("");
      await page.getByRole("cell", { name: "tenant.created" }).waitFor();

      // Optimistic concurrency: someone else changes the tenant while the profile is being edited.
      // The tab re-reads the tenant when it opens; edit once that read is in, as a person would.
      const reread = page.waitForResponse((response) => response.url().includes("tenants.get"));
      await page.getByRole("link", { name: "Profile" }).click();
      await reread;
      await expect.poll(() => page.getByLabel("Plan", { exact: true }).inputValue()).toBe("pro");
      await page.getByLabel("Plan", { exact: true }).fill("enterprise");
      await expect.poll(() => page.getByRole("button", { name: "Save changes" }).isEnabled()).toBe(true);
      await api("PATCH", `/tenants/${tenantId}`, { planKey: "team" });
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByText(/Someone else changed this tenant since you opened it/).waitFor();
      await check("12a-profile-conflict");
      expect((await api<{ planKey: string }>("GET", `/tenants/${tenantId}`)).planKey).toBe("team");
      await page.getByRole("button", { name: "Reload latest" }).click();
      await expect.poll(() => page.getByLabel("Plan", { exact: true }).inputValue()).toBe("team");

      await page.getByRole("button", { name: "Suspend", exact: true }).click();
      await page
        .getByRole("dialog", { name: "Suspend Acme Corp?" })
        .getByRole("button", { name: "Suspend" })
        .click();
      await page.locator(".tenant-title").getByText("Suspended").waitFor();
      const tenant = await api<{ status: string }>("GET", `/tenants/${tenantId}`);
      expect(tenant.status).toBe("suspended");
    });

    it("sets up the test tenant, mints its token and calls GET /api/v1/me with it", async () => {
      await page.getByRole("link", { name: "Testing" }).click();
      await page.getByLabel("Internal id").fill("test-tenant");
      await page.getByLabel("Name", { exact: true }).fill("Test Co");
      await page.getByLabel("Fields its tokens carry (JSON)").fill('{"companyName": "Test Co"}');
      await page.getByRole("button", { name: "Save test tenant" }).click();
      await page.getByText("Test tenant saved.").waitFor();
      await page.getByRole("button", { name: "Mint token" }).click();
      const token = (await page.getByTestId("minted-token").innerText()).trim();
      await expect(page.getByTestId("curl-line").innerText()).resolves.toContain(`${server.url}/api/v1/me`);
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ tenant: { internalId: "test-tenant", name: "Test Co" } });
      // Every widget, acting as the test tenant with that token.
      await page
        .locator(".tnt-fields")
        .getByLabel(/Company name/)
        .waitFor();
      await check("12-testing");

      // A refused mint is shown on the form, never thrown (pageErrors stays empty).
      const mintForm = page.locator('form[aria-labelledby="mint-title"]');
      await page.getByLabel("User id (optional)").fill("u-1");
      await mintForm.getByLabel("Email").fill("not-an-email");
      await page.getByRole("button", { name: "Mint token" }).click();
      await mintForm.getByRole("alert").waitFor();
      await expect(page.getByTestId("minted-token").count()).resolves.toBe(0);
      await page.getByLabel("User id (optional)").fill("");
      await mintForm.getByLabel("Email").fill("");

      // A test tenant without the schema's required field: its token works, and what is missing is said.
      await page.getByLabel("Internal id").fill("test-tenant-incomplete");
      await page.getByLabel("Fields its tokens carry (JSON)").fill("{}");
      await page.getByRole("button", { name: "Save test tenant" }).click();
      await page.getByText("Test tenant saved.").waitFor();
      await page.getByRole("button", { name: "Mint token" }).click();
      await page.getByText("The test tenant lacks required fields: Company name.").waitFor();
      const incomplete = (await page.getByTestId("minted-token").innerText()).trim();
      const incompleteMe = await fetch(`${server.url}/api/v1/me`, {
        headers: { authorization: `Bearer ${incomplete}` },
      });
      expect(incompleteMe.status).toBe(200);
      expect(await incompleteMe.json()).toMatchObject({
        tenant: {
          internalId: "test-tenant-incomplete",
          fieldsStatus: { complete: false, missing: ["companyName"] },
        },
      });
      await page.locator(".tnt-fields").getByText("Please fill in: Company name.").waitFor();
      await check("12b-testing-incomplete");
    });

    it("passes axe on every settings page", async () => {
      await api("POST", "/apps", { key: "legacy-crm", name: "Legacy CRM", authType: "api_key" });
      for (const [link, name] of [
        ["API keys", "13-api-keys"],
        ["Token signing keys", "14-signing-keys"],
        ["Apps", "15-apps"],
        ["Roles", "16-roles"],
        ["Allowed origins", "17-origins"],
        ["Operators", "17b-operators"],
        ["Tenant field schema", "18-schema-saved"],
      ] as const) {
        await page.getByRole("link", { name: link }).click();
        await page.getByRole("heading", { name: link, level: 1 }).waitFor();
        await check(name);
      }
      // A command in a text is shown as code, never with its backticks.
      await page.getByRole("link", { name: "Operators" }).click();
      const description = page.locator(".page-description");
      await expect(description.locator("code").textContent()).resolves.toBe("pnpm tenantry create-operator");
      await expect(description.textContent()).resolves.not.toContain("`");
      // Archive an app after confirming: it leaves the catalog.
      await page.getByRole("link", { name: "Apps" }).click();
      await page.getByRole("button", { name: "Archive Legacy CRM" }).click();
      await page
        .getByRole("dialog", { name: "Archive Legacy CRM?" })
        .getByRole("button", { name: "Archive" })
        .click();
      await page.getByRole("button", { name: "Archive Legacy CRM" }).waitFor({ state: "detached" });
      const catalog = await api<{ items: { key: string }[] }>("GET", "/apps");
      expect(catalog.items.map((app) => app.key)).not.toContain("legacy-crm");

      // A public client is added with PKCE alone: the secret field goes away, and the list says so.
      await page.getByRole("button", { name: "Add app" }).click();
      const addApp = page.getByRole("dialog", { name: "Add app" });
      await addApp.getByLabel("Key", { exact: true }).fill("public-crm");
      await addApp.getByLabel("Name", { exact: true }).fill("Public CRM");
      await addApp.getByLabel("Authorize URL").fill("https://crm.example.com/authorize");
      await addApp.getByLabel("Token URL").fill("https://crm.example.com/token");
      await addApp.getByLabel("Client id").fill("public-client");
      await addApp.getByLabel("Token endpoint authentication").selectOption("none");
      await expect(addApp.getByLabel("Client secret (write-only)").count()).resolves.toBe(0);
      await addApp.getByRole("button", { name: "Add app" }).click();
      await page.getByText("public client (PKCE)").waitFor();
      const withPublic = await api<{
        items: {
          key: string;
          oauth2: { tokenEndpointAuthMethod: string; hasClientSecret: boolean } | null;
        }[];
      }>("GET", "/apps");
      expect(withPublic.items.find((app) => app.key === "public-crm")?.oauth2).toMatchObject({
        tokenEndpointAuthMethod: "none",
        hasClientSecret: false,
      });

      await page.getByRole("link", { name: "API keys" }).click();
      await page.getByLabel("Name").fill("CI backend");
      await page.getByRole("button", { name: "Create API key" }).click();
      await page.getByText("Copy it now: it is shown only this once.").waitFor();
    });

    it("defines a permission of the host's own, gives it to a role, and deletes it from every role", async () => {
      await page.getByRole("link", { name: "Roles" }).click();
      await page.getByText("No permissions of your own yet.").waitFor();
      await page.getByRole("button", { name: "Add permission" }).click();
      const define = page.getByRole("dialog", { name: "Add permission" });
      await define.getByLabel("Key").fill("Members:Approve");
      await define.getByLabel("Name").fill("Approve");
      await define.getByRole("button", { name: "Save" }).click();
      // Refused in plain words, and nothing is created.
      await define
        .getByText(/resource:action in lower case/)
        .first()
        .waitFor();
      await define.getByLabel("Key").fill("invoices:approve");
      await define.getByLabel("Name").fill("Approve invoices");
      await define.getByRole("button", { name: "Save" }).click();
      await page.getByRole("cell", { name: "invoices:approve", exact: true }).waitFor();

      await page.getByRole("button", { name: "Create role" }).click();
      const roleDialog = page.getByRole("dialog", { name: "Create role" });
      await roleDialog.getByLabel("Key").fill("approver");
      await roleDialog.getByLabel("Name").fill("Approver");
      await roleDialog.getByLabel("members:read").check();
      await roleDialog.getByLabel(/invoices:approve/).check();
      await check("16b-roles-custom-permission");
      await roleDialog.getByRole("button", { name: "Save" }).click();
      await page.getByRole("heading", { name: "Approver" }).waitFor();
      const roles = await api<{ items: { key: string; permissions: string[] }[] }>("GET", "/roles");
      expect(roles.items.find((role) => role.key === "approver")?.permissions).toEqual([
        "invoices:approve",
        "members:read",
      ]);

      await page.getByRole("button", { name: "Delete invoices:approve" }).click();
      await page
        .getByRole("dialog", { name: "Delete invoices:approve?" })
        .getByRole("button", { name: "Delete" })
        .click();
      await page.getByText("No permissions of your own yet.").waitFor();
      const after = await api<{ items: { key: string; permissions: string[] }[] }>("GET", "/roles");
      expect(after.items.find((role) => role.key === "approver")?.permissions).toEqual(["members:read"]);
      await check("16c-roles-permission-deleted");
    });

    it("disables, enables and resets a colleague after confirming, and never offers disabling yourself", async () => {
      await page.getByRole("link", { name: "Operators" }).click();
      await page.getByRole("button", { name: "Sign out my other sessions" }).waitFor();
      await expect(page.getByRole("button", { name: "Disable Ada Lovelace" }).count()).resolves.toBe(0);
      await expect(page.getByRole("button", { name: "Remove Ada Lovelace" }).count()).resolves.toBe(0);
      await page.getByRole("button", { name: "Disable Grace Hopper" }).click();
      await page
        .getByRole("dialog", { name: "Disable Grace Hopper?" })
        .getByRole("button", { name: "Disable" })
        .click();
      await page.getByText("Grace Hopper is disabled.").waitFor();
      await page.getByRole("button", { name: "Enable Grace Hopper" }).click();
      await page
        .getByRole("dialog", { name: "Enable Grace Hopper?" })
        .getByRole("button", { name: "Enable" })
        .click();
      await page.getByText("Grace Hopper is enabled.").waitFor();
      await page.getByRole("button", { name: "Reset password of Grace Hopper" }).click();
      await page
        .getByRole("dialog", { name: "Reset the password of Grace Hopper?" })
        .getByRole("button", { name: "Reset password" })
        .click();
      await page.getByText("Copy it now: it is shown only this once.").waitFor();
      temporaryPassword = (await page.locator(".secret-value").textContent()) ?? "";
      expect(temporaryPassword).toMatch(/^[\w-]{24}$/);
      await check("17c-operators-reset");
    });

    it("adds a webhook endpoint, shows its secret once, tests, retries, rotates and disables it", async () => {
      await page.getByRole("link", { name: "Webhooks" }).click();
      await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
      await page.getByText("No webhook endpoints").waitFor();
      await check("23-webhooks-empty");

      // A URL the server will not call is refused in plain words, and nothing is saved.
      await page.getByRole("button", { name: "Add endpoint" }).click();
      const dialog = page.getByRole("dialog", { name: "Add endpoint" });
      await dialog.getByLabel("URL").fill("http://hooks.example.com/tenantry");
      await dialog.getByRole("button", { name: "Add endpoint" }).click();
      await dialog.getByText(/Tenantry will not call this URL: url must be https/).waitFor();
      expect((await api<{ items: unknown[] }>("GET", "/webhook-endpoints")).items).toEqual([]);

      await dialog.getByLabel("URL").fill(receiverUrl);
      await dialog.getByLabel("Description").fill("Acme backend");
      await dialog.getByLabel("tenant.activated").check();
      await dialog.getByLabel("tenant.updated").check();
      await check("24-webhook-add");
      await dialog.getByRole("button", { name: "Add endpoint" }).click();
      await page.getByText("Copy it now: it is shown only this once.").waitFor();
      await page.getByText(/You won't see it again/).waitFor();
      const secret = (await page.locator(".secret-value").textContent()) ?? "";
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
      await check("25-webhook-secret-once");
      const endpoints = await api<{ items: { id: string; url: string; types: string[] }[] }>(
        "GET",
        "/webhook-endpoints",
      );
      expect(endpoints.items).toMatchObject([
        { url: receiverUrl, types: ["tenant.updated", "tenant.activated"] },
      ]);
      const endpointId = endpoints.items[0]!.id;
      expect(JSON.stringify(endpoints)).not.toContain(secret.slice(6));
      // Shown once: after a reload the page has no secret to show.
      await page.reload();
      await page.getByRole("link", { name: receiverUrl }).waitFor();
      await expect(page.locator(".secret-value").count()).resolves.toBe(0);

      // The test event reaches the receiver signed with exactly the secret that was shown.
      await page.getByRole("link", { name: receiverUrl }).click();
      await page.getByRole("heading", { name: "Acme backend", level: 1 }).waitFor();
      await page.getByText("No delivery attempts yet").waitFor();
      await page.getByRole("button", { name: "Send test event" }).click();
      await page.getByText(/Test event delivered: HTTP 200 in \d+ ms\./).waitFor();
      const test = deliveries.find((delivery) => delivery.body.includes('"webhook_endpoint.test"'));
      expect(verifyWebhook(test!.body, test!.headers as Record<string, string>, secret)).toMatchObject({
        type: "webhook_endpoint.test",
      });

      // A real change is delivered by the server's worker, and its attempt is listed.
      await api("POST", `/tenants/${tenantId}/activate`);
      const attemptCell = page.getByRole("cell", { name: "HTTP 200" });
      await expect
        .poll(async () => {
          await page.getByRole("button", { name: "Refresh" }).click();
          return attemptCell.count();
        })
        .toBe(1);
      await page.getByRole("cell", { name: "received" }).waitFor();
      await check("26-webhook-attempts");
      const activated = deliveries.filter((delivery) => delivery.body.includes('"tenant.activated"'));
      expect(activated).toHaveLength(1);
      const eventId = String(activated[0]!.headers["webhook-id"]);

      // Retry sends the same message again now, under the same webhook-id.
      await page.getByRole("button", { name: `Retry ${eventId}` }).click();
      await page.getByText(`${eventId} is queued to be sent again now.`).waitFor();
      await expect
        .poll(() => deliveries.filter((delivery) => delivery.headers["webhook-id"] === eventId).length)
        .toBe(2);
      await expect
        .poll(async () => {
          await page.getByRole("button", { name: "Refresh" }).click();
          return attemptCell.count();
        })
        .toBe(2);

      // Editing starts from what the endpoint takes; a refused URL changes nothing.
      await page.getByRole("button", { name: "Edit endpoint" }).click();
      const edit = page.getByRole("dialog", { name: "Edit endpoint" });
      await expect(edit.getByLabel("Description").inputValue()).resolves.toBe("Acme backend");
      await expect(edit.getByLabel("tenant.activated").isChecked()).resolves.toBe(true);
      await edit.getByLabel("URL").fill("http://hooks.example.com/tenantry");
      await edit.getByRole("button", { name: "Save changes" }).click();
      await edit.getByText(/Tenantry will not call this URL: url must be https/).waitFor();
      expect((await api<{ url: string }>("GET", `/webhook-endpoints/${endpointId}`)).url).toBe(receiverUrl);
      await edit.getByLabel("URL").fill(receiverUrl);
      await edit.getByLabel("tenant.updated").uncheck();
      await edit.getByRole("button", { name: "Save changes" }).click();
      await edit.waitFor({ state: "detached" });
      expect(await api<{ types: string[] }>("GET", `/webhook-endpoints/${endpointId}`)).toMatchObject({
        url: receiverUrl,
        types: ["tenant.activated"],
      });

      // Rotating shows the new secret once; the old one keeps signing for 24 hours.
      await page
        .getByRole("navigation", { name: "Breadcrumb" })
        .getByRole("link", { name: "Webhooks" })
        .click();
      await page.getByRole("button", { name: "Rotate secret of Acme backend" }).click();
      await page
        .getByRole("dialog", { name: "Rotate the secret of Acme backend?" })
        .getByRole("button", { name: "Rotate secret" })
        .click();
      await page.getByText(/The old secret keeps signing, alongside the new one, for 24 hours/).waitFor();
      const rotated = (await page.locator(".secret-value").textContent()) ?? "";
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);
      await page.getByText(/Previous secret also signs until/).waitFor();
      await check("27-webhook-rotated");

      await page.getByRole("button", { name: "Disable Acme backend" }).click();
      await page
        .getByRole("dialog", { name: "Disable Acme backend?" })
        .getByRole("button", { name: "Disable" })
        .click();
      await page.getByText("Acme backend is disabled.").waitFor();
      expect((await api<{ status: string }>("GET", `/webhook-endpoints/${endpointId}`)).status).toBe(
        "disabled",
      );
      await page.getByRole("button", { name: "Enable Acme backend" }).click();
      await page
        .getByRole("dialog", { name: "Enable Acme backend?" })
        .getByRole("button", { name: "Enable" })
        .click();
      await page.getByText("Acme backend is enabled.").waitFor();

      // Deleting asks first, then the endpoint is gone.
      await api("POST", "/webhook-endpoints", { url: receiverUrl, description: "Spare" });
      await page.reload();
      await page.getByRole("button", { name: "Delete Spare" }).click();
      await page
        .getByRole("dialog", { name: "Delete Spare?" })
        .getByRole("button", { name: "Delete" })
        .click();
      await page.getByText("Spare is deleted.").waitFor();
      const left = await api<{ items: { description: string }[] }>("GET", "/webhook-endpoints");
      expect(left.items.map((endpoint) => endpoint.description)).toEqual(["Acme backend"]);
    });

    it("shows the event log filtered by type and tenant, a page at a time", async () => {
      // Enough events for more than one page of 50.
      for (let index = 0; index < 50; index++)
        await api("POST", "/tenants", { name: `Batch ${index}`, fields: { companyName: "Batch" } });
      await page.getByRole("link", { name: "Event log" }).click();
      await page.getByRole("heading", { name: "Event log", level: 1 }).waitFor();
      const rows = page.locator("tbody tr");
      await expect.poll(() => rows.count()).toBe(50);
      await page.getByRole("button", { name: "Load more" }).click();
      await page.getByText("That is every event so far.").waitFor();
      const all = await rows.count();
      expect(all).toBeGreaterThan(50);
      await check("28-event-log");

      await page.getByLabel("Type").selectOption("tenant.activated");
      await expect.poll(() => rows.count()).toBe(1);
      await page.getByRole("cell", { name: "tenant.activated" }).waitFor();
      expect(page.url()).toContain("type=tenant.activated");

      // A malformed tenant id is said on its field and never sent; a real one filters.
      await page.getByLabel("Type").selectOption("");
      await page.getByLabel("Tenant id").fill("acme");
      await page.getByRole("button", { name: "Apply" }).click();
      await page.getByText("A tenant id is tenant_ followed by a UUID.").waitFor();
      await page.getByLabel("Tenant id").fill(tenantId);
      await page.getByRole("button", { name: "Apply" }).click();
      await expect.poll(() => page.url()).toContain(`tenantId=${tenantId}`);
      await page.getByRole("cell", { name: "tenant.suspended" }).waitFor();
      // Every row shown is the filtered tenant's (its column links to it).
      await expect
        .poll(async () => [...new Set(await page.locator("tbody tr td:nth-child(3)").allTextContents())])
        .toEqual([tenantId]);
      await check("29-event-log-filtered");
    });

    it("works in Swedish and in the dark theme", async () => {
      await page.getByRole("link", { name: "Tenants" }).click();
      await page.getByLabel("Theme").selectOption("dark");
      await page.getByLabel("Language").selectOption("sv");
      await page.getByRole("heading", { name: "Tenanter", level: 1 }).waitFor();
      await check("19-tenants-sv-dark");
      await page.getByRole("link", { name: "Roller" }).click();
      await page.getByRole("heading", { name: "Era egna behörigheter" }).waitFor();
      await page.getByRole("button", { name: "Lägg till behörighet" }).waitFor();
      await check("19b-roles-sv-dark");
      await page.getByRole("link", { name: "Webhooks" }).click();
      await page.getByRole("button", { name: "Byt hemlighet för Acme backend" }).waitFor();
      await check("19c-webhooks-sv-dark");
      await page.getByRole("link", { name: "Händelselogg" }).click();
      await page.getByRole("heading", { name: "Händelselogg", level: 1 }).waitFor();
      await check("19d-event-log-sv-dark");
      await page.getByLabel("Tema").selectOption("light");
      await page.getByLabel("Språk").selectOption("en");
    });

    it("refuses a mutation without the CSRF header, and a deep link survives a reload", async () => {
      const status = await page.evaluate(async () => {
        const response = await fetch("/trpc/tenants.create", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "Forged" }),
        });
        return response.status;
      });
      expect(status).toBe(403);
      const list = await api<{ items: unknown[] }>("GET", "/tenants?q=Forged");
      expect(list.items).toHaveLength(0);

      await page.goto(`${server.url}/tenants/${tenantId}/activity?action=tenant.suspended`);
      await page.getByRole("cell", { name: "tenant.suspended" }).waitFor();
      await expect(page.getByRole("cell", { name: "tenant.created" }).count()).resolves.toBe(0);
    });

    it("signs out, and the session no longer works", async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in to Tenantry" }).waitFor();
      const status = await page.evaluate(async () => (await fetch("/console/session")).status);
      expect(status).toBe(401);
    });

    it("lets a colleague whose password was reset choose a new one as they sign in", async () => {
      await page.getByLabel("Email").fill(COLLEAGUE);
      await page.getByLabel("Password").fill(temporaryPassword);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
      await check("22-choose-new-password");
      await page.getByLabel("New password", { exact: true }).fill("grace's own passphrase");
      await page.getByLabel("Repeat the new password").fill("grace's own passphrase");
      await page.getByRole("button", { name: "Save password and sign in" }).click();
      await page.getByRole("heading", { name: "Tenants", level: 1 }).waitFor();
      expect(pageErrors).toEqual([]);
    });
  },
);
