import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createOperator } from "@tenantry/api/operators";
import { hashOperatorPassword } from "@tenantry/server/operator-passwords";
import { startTestServer, type TestServer } from "@tenantry/server/testing/test-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The Signing keys page registering the host's identity provider, in Chromium against the real
 * server, whose JWKS allow-list names the loopback JWKS served here.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// A developer without Chromium skips this suite; CI fails instead of passing it untested.
const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI;
const driver = process.env.TENANTRY_TEST_DRIVER ?? "pglite";
const artifacts = fileURLToPath(new URL(`../../../test-artifacts/console/${driver}/`, import.meta.url));
const consoleRoot = fileURLToPath(new URL("..", import.meta.url));
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const EMAIL = "ada@host.example";
const PASSWORD = "correct horse battery staple";
/** A P-256 public key as a JWKS: enough for registration, which fetches the JWKS once. */
const JWKS = {
  keys: [
    {
      kty: "EC",
      crv: "P-256",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
      kid: "console-test",
      alg: "ES256",
      use: "sig",
    },
  ],
};

describe.skipIf(skipBrowser)("registering an identity provider in the console", { timeout: 90_000 }, () => {
  let server: TestServer;
  let jwksServer: Server;
  let jwksUrl: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function axe(name: string) {
    await page.evaluate(axeSource);
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
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
      res.end(JSON.stringify(JWKS));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
    const outDir = mkdtempSync(join(tmpdir(), "tenantry-console-"));
    await build({ configFile: `${consoleRoot}vite.config.ts`, logLevel: "warn", build: { outDir } });
    server = await startTestServer({ consoleDistDir: outDir, jwksAllowHosts: new Set(["127.0.0.1"]) });
    await createOperator(server.handle.db, {
      workspaceId: server.workspaceId,
      email: EMAIL,
      name: "Ada Lovelace",
      passwordHash: await hashOperatorPassword(PASSWORD),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, colorScheme: "light" });
    page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  it("creates an issuer with a claims mapping, refuses an unreachable JWKS, and reads in Swedish", async () => {
    await page.goto(`${server.url}/settings/signing-keys`);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Token signing keys", level: 1 }).waitFor();

    await page.getByLabel("Algorithm").selectOption("jwks");
    await page.getByLabel("Issuer (iss)").fill("https://login.host.example/");
    await page.getByLabel("Audience (aud)").fill("https://api.host.example");
    await expect(page.getByLabel("Tenant id").getAttribute("placeholder")).resolves.toBe("org_id");
    await page.getByLabel(/^Permissions/).fill("scope");
    // Nobody listens on port 9: registration fetches the JWKS and says why it could not.
    await page.getByLabel("JWKS URL").fill("http://127.0.0.1:9/.well-known/jwks.json");
    await page.getByRole("button", { name: "Create signing key" }).click();
    await page.getByText(/jwksUrl: the JWKS at 127\.0\.0\.1:9 could not be fetched/).waitFor();
    await axe("30-signing-keys-issuer-refused");

    await page.getByLabel("JWKS URL").fill(jwksUrl);
    await page.getByRole("button", { name: "Create signing key" }).click();
    await page.getByRole("row", { name: /https:\/\/login\.host\.example\// }).waitFor();
    await axe("31-signing-keys-issuer");

    const listed = (await (await server.call("GET", "/api/v1/signing-keys")).json()) as {
      items: { type: string; jwksUrl: string | null; claims: Record<string, string> | null }[];
    };
    expect(listed.items.filter((key) => key.type === "jwks")).toEqual([
      expect.objectContaining({
        jwksUrl,
        claims: expect.objectContaining({ permissions: "scope", tenant: "org_id" }),
      }),
    ]);

    await page.getByLabel("Language").selectOption("sv");
    await page.getByLabel("Algoritm").selectOption("jwks");
    await page.getByLabel("Utfärdare (iss)").waitFor();
    await page.getByText("Anspråk", { exact: true }).waitFor();
    await axe("32-signing-keys-issuer-sv");
    expect(pageErrors).toEqual([]);
  });
});
