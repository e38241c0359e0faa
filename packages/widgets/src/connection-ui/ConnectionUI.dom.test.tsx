import { createHarness, type Harness } from "@tenantry/api/testing";
import { newId } from "@tenantry/db/ids";
import { connections } from "@tenantry/db/schema/connections";
import { act, cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inProcessLink } from "../testing/in-process-link.js";
import { renderWithTenantry } from "../testing/render.js";
import { createTenantFor, createWidgetWorld, type WidgetWorld } from "../testing/world.js";
import { ConnectionUI } from "./ConnectionUI.js";

let h: Harness;
let world: WidgetWorld;
let link: ReturnType<typeof inProcessLink>;
const calls: string[] = [];
const apps: Record<"crm" | "ledger" | "drive" | "tracker", string> = {
  crm: "",
  ledger: "",
  drive: "",
  tracker: "",
};
/** renderWithTenantry's baseUrl: the only origin whose OAuth results the widget accepts. */
const TENANTRY_ORIGIN = "http://tenantry.invalid";

beforeAll(async () => {
  h = await createHarness();
  world = await createWidgetWorld(h.api);
  link = inProcessLink({ db: h.handle.db, keyring: h.keyring, beforeCall: (path) => void calls.push(path) });
  apps.crm = (
    await h.api.apps.create({
      key: "acme-crm",
      name: "Acme CRM",
      authType: "api_key",
      parametersSchema: {
        type: "object",
        properties: {
          apiKey: { type: "string", title: "API key", minLength: 10, writeOnly: true, "x-order": 1 },
          region: { type: "string", title: "Region", enum: ["eu", "us"], "x-order": 2 },
        },
        required: ["apiKey"],
      },
    })
  ).id;
  // Its test request goes to a port nothing listens on: the server answers connection_test_failed.
  apps.ledger = (
    await h.api.apps.create({
      key: "ledgerly",
      name: "Ledgerly",
      authType: "api_key",
      testRequest: { url: "http://127.0.0.1:9/me", method: "GET", headers: { "X-Api-Key": "{{apiKey}}" } },
    })
  ).id;
  apps.drive = (
    await h.api.apps.create({
      key: "demo-drive",
      name: "Demo Drive",
      logoUrl: "https://logos.example/drive.png",
      authType: "oauth2",
      oauth2: {
        authorizeUrl: "https://drive.example/authorize",
        tokenUrl: "https://drive.example/token",
        clientId: "client-1",
        clientSecret: "secret-1",
        scopes: ["files.read"],
      },
    })
  ).id;
  apps.tracker = (await h.api.apps.create({ key: "tracker", name: "Tracker", authType: "basic" })).id;
});
afterAll(() => h.close());
afterEach(() => {
  cleanup();
  calls.length = 0;
  window.history.replaceState(null, "", "/");
});

let counter = 0;
async function tenant(scope = "connections:read connections:write") {
  const sub = `conn-ui-${++counter}`;
  const tenantId = await createTenantFor(world.api, sub);
  return { tenantId, token: await world.signToken({ sub, scope }) };
}

/** A connection row as the OAuth flow leaves it (the server cannot start one yet): written directly. */
async function seedConnection(
  tenantId: string,
  appId: string,
  status: "pending" | "connected" | "needs_reauth" | "error",
  options: { lastError?: string; minutesAgo?: number } = {},
) {
  const workspaceId = h.workspaceId;
  const at = new Date(Date.now() - (options.minutesAgo ?? 0) * 60_000);
  const id = newId("conn");
  await h.handle.db.insert(connections).values({
    workspaceId,
    id,
    tenantId,
    appId,
    name: "Demo Drive",
    status,
    lastError: options.lastError ?? null,
    connectedAt: status === "pending" ? null : at,
    createdAt: at,
    updatedAt: at,
  });
  return id;
}

async function setStatus(id: string, status: string) {
  await h.handle.db.execute(
    `update connections set status = '${status}', updated_at = now() where id = '${id}'`,
  );
}

function rowOf(name: string): HTMLElement {
  const item = screen.getByText(name, { selector: ".tnt-app-name" }).closest("li");
  if (!item) throw new Error(`no row for ${name}`);
  return item as HTMLElement;
}

async function expectNoAxeViolations(container: HTMLElement) {
  // happy-dom lays nothing out, so contrast is checked in Chromium (Storybook); every other rule runs here.
  const results = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`)).toEqual([]);
}

describe("ConnectionUI against the real router", () => {
  it("lists the catalog with each connection's status and the actions it allows, labelled", async () => {
    const { tenantId, token } = await tenant();
    await world.api.connections.create({
      tenantId,
      appId: apps.crm,
      parameters: { apiKey: "crm-key-123456" },
    });
    const gone = await world.api.connections.create({
      tenantId,
      appId: apps.tracker,
      parameters: { username: "u", password: "p" },
    });
    await world.api.connections.delete({ id: gone.id });
    const { container } = renderWithTenantry(<ConnectionUI />, { link, token, locale: "en" });
    expect(container.querySelector('[aria-busy="true"]')).not.toBeNull();

    await screen.findByText("Acme CRM");
    const list = container.querySelector<HTMLElement>(".tnt-app-list")!;
    expect(
      within(list)
        .getAllByText(/./, { selector: ".tnt-app-name" })
        .map((e) => e.textContent),
    ).toEqual(["Acme CRM", "Demo Drive", "Ledgerly", "Tracker"]);
    expect(within(rowOf("Acme CRM")).getByText("Connected")).toBeTruthy();
    expect(within(rowOf("Acme CRM")).getByText(/^Since \w/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Disconnect Acme CRM" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Connect Acme CRM" })).toBeNull();
    // A disconnected connection is history: hidden, and the app can be connected again.
    expect(within(rowOf("Tracker")).getByText("Not connected")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Connect Tracker" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Connect Demo Drive" })).toBeTruthy();
    // A logo is an image beside the name; without one, the initial stands in.
    expect(rowOf("Demo Drive").querySelector("img")?.getAttribute("src")).toBe(
      "https://logos.example/drive.png",
    );
    expect(rowOf("Ledgerly").querySelector(".tnt-app-initial")?.textContent).toBe("L");
    expect(container.querySelector('section[aria-busy="true"]')).toBeNull();
    await expectNoAxeViolations(container);
  });

  it("connects an API-key app through its parameters form, catching a bad value before sending it", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenant();
    const { container } = renderWithTenantry(<ConnectionUI />, { link, token, locale: "en" });
    await user.click(await screen.findByRole("button", { name: "Connect Acme CRM" }));
    const dialog = await screen.findByRole("dialog", { name: "Connect Acme CRM" });
    const apiKey = within(dialog).getByLabelText(/API key/);
    expect(apiKey.getAttribute("type")).toBe("password");
    expect(apiKey.getAttribute("aria-required")).toBe("true");
    expect(within(dialog).getByLabelText("Region").tagName).toBe("SELECT");
    await expectNoAxeViolations(container);

    await user.type(apiKey, "short");
    calls.length = 0;
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));
    expect(within(dialog).getByText("Must be at least 10 characters.")).toBeTruthy();
    expect(apiKey.getAttribute("aria-invalid")).toBe("true");
    await waitFor(() => expect(document.activeElement).toBe(apiKey));
    expect(calls).not.toContain("connections.create");
    await expectNoAxeViolations(container);

    await user.type(apiKey, "-but-now-long-enough");
    expect(apiKey.getAttribute("aria-invalid")).toBeNull();
    await user.selectOptions(within(dialog).getByLabelText("Region"), "eu");
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect((await screen.findByText("Acme CRM is connected.")).getAttribute("role")).toBe("status");
    await waitFor(() => expect(within(rowOf("Acme CRM")).getByText("Connected")).toBeTruthy());

    const stored = await world.api.connections.listForTenant({ tenantId });
    expect(stored.items).toMatchObject([{ appId: apps.crm, status: "connected" }]);
    const created = await world.api.connections.credentials({ id: stored.items[0]!.id });
    expect(created).toEqual({
      type: "api_key",
      parameters: { apiKey: "short-but-now-long-enough", region: "eu" },
    });
  });

  it("shows the app's refusal of the parameters in plain words on the form", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenant();
    renderWithTenantry(<ConnectionUI />, { link, token, locale: "en" });
    await user.click(await screen.findByRole("button", { name: "Connect Ledgerly" }));
    const dialog = await screen.findByRole("dialog", { name: "Connect Ledgerly" });
    await user.type(within(dialog).getByLabelText(/API key/), "wrong-key");
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toBe("Ledgerly did not accept these details. Check them and try again.");
    await waitFor(() => expect(document.activeElement).toBe(alert));
    expect((await world.api.connections.listForTenant({ tenantId })).items).toEqual([]);
    // Cancel leaves nothing behind.
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("disconnects only after a confirmation that starts on Cancel", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenant();
    await world.api.connections.create({
      tenantId,
      appId: apps.crm,
      parameters: { apiKey: "crm-key-123456" },
    });
    renderWithTenantry(<ConnectionUI />, { link, token, locale: "en" });
    await user.click(await screen.findByRole("button", { name: "Disconnect Acme CRM" }));
    let dialog = await screen.findByRole("dialog", { name: "Disconnect Acme CRM?" });
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect((await world.api.connections.listForTenant({ tenantId })).items[0]!.status).toBe("connected");

    await user.click(screen.getByRole("button", { name: "Disconnect Acme CRM" }));
    dialog = await screen.findByRole("dialog", { name: "Disconnect Acme CRM?" });
    expect(dialog.textContent).toContain("The stored credentials are deleted");
    await user.click(within(dialog).getByRole("button", { name: "Disconnect" }));
    expect(await screen.findByText("Acme CRM is disconnected.")).toBeTruthy();
    expect(await screen.findByRole("button", { name: "Connect Acme CRM" })).toBeTruthy();
    expect((await world.api.connections.listForTenant({ tenantId })).items[0]!.status).toBe("disconnected");
  });

  it("offers Reconnect for needs_reauth and error, and Try again for an unfinished sign-in", async () => {
    const { tenantId, token } = await tenant();
    const expired = await seedConnection(tenantId, apps.drive, "connected");
    await setStatus(expired, "needs_reauth");
    const { container } = renderWithTenantry(<ConnectionUI />, { link, token, locale: "en" });
    await screen.findByText("Needs reconnecting");
    const row = rowOf("Demo Drive");
    expect(within(row).getByText("Needs reconnecting")).toBeTruthy();
    expect(within(row).getByText(/has expired. Reconnect/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Reconnect Demo Drive" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Disconnect Demo Drive" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Connect Demo Drive" })).toBeNull();
    await expectNoAxeViolations(container);
    cleanup();

    const other = await tenant();
    await seedConnection(other.tenantId, apps.drive, "pending", { minutesAgo: 30 });
    renderWithTenantry(<ConnectionUI />, { link, token: other.token, locale: "en" });
    expect(await screen.findByText("Not finished")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Try again to connect Demo Drive" })).toBeTruthy();
  });

  it("reads the redirect fallback's result from the address, announces it and removes it", async () => {
    const { tenantId, token } = await tenant();
    const failed = await seedConnection(tenantId, apps.drive, "pending");
    window.history.replaceState(
      null,
      "",
      `/settings?tab=apps&tenantry_connection=${failed}&tenantry_status=error&tenantry_error=invalid_state#apps`,
    );
    renderWithTenantry(<ConnectionUI />, { link, token, locale: "en" });
    expect((await screen.findByRole("alert")).textContent).toContain(
      "The sign-in link expired or was already used. Try again.",
    );
    expect(window.location.search).toBe("?tab=apps");
    expect(window.location.hash).toBe("#apps");
    cleanup();

    const ok = await tenant();
    const done = await seedConnection(ok.tenantId, apps.drive, "connected");
    window.history.replaceState(null, "", `/settings?tenantry_connection=${done}&tenantry_status=connected`);
    renderWithTenantry(<ConnectionUI />, { link, token: ok.token, locale: "en" });
    expect(await screen.findByText("Demo Drive is connected.")).toBeTruthy();
    expect(window.location.search).toBe("");
    expect(window.location.pathname).toBe("/settings");
  });

  it("accepts the popup's message only from Tenantry's origin, then refreshes the list", async () => {
    const { tenantId, token } = await tenant();
    const id = await seedConnection(tenantId, apps.drive, "pending");
    renderWithTenantry(<ConnectionUI />, { link, token, locale: "en" });
    await screen.findByRole("button", { name: "Try again to connect Demo Drive" });
    await setStatus(id, "connected");
    const data = { type: "tenantry:oauth-result", connectionId: id, status: "connected" };

    calls.length = 0;
    act(() => {
      window.dispatchEvent(new MessageEvent("message", { origin: "https://evil.example", data }));
      window.dispatchEvent(
        new MessageEvent("message", { origin: TENANTRY_ORIGIN, data: { ...data, type: "something-else" } }),
      );
    });
    expect(screen.queryByText("Demo Drive is connected.")).toBeNull();

    // Messages are handled in order, so once the genuine one's refresh has shown its result, any
    // refresh the two above had started would have been asked for too: the list was asked for once.
    act(() => {
      window.dispatchEvent(new MessageEvent("message", { origin: TENANTRY_ORIGIN, data }));
    });
    expect(await screen.findByText("Demo Drive is connected.")).toBeTruthy();
    expect(calls.filter((path) => path === "connections.listForTenant")).toHaveLength(1);
    expect(within(rowOf("Demo Drive")).getByText("Connected")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Disconnect Demo Drive" })).toBeTruthy();

    await setStatus(id, "error");
    act(() => {
      window.dispatchEvent(
        new MessageEvent("message", {
          origin: TENANTRY_ORIGIN,
          data: { ...data, status: "error", error: { code: "provider_error", message: "access_denied" } },
        }),
      );
    });
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Demo Drive refused the connection (access was denied). Try again.",
    );
    expect(await screen.findByRole("button", { name: "Reconnect Demo Drive" })).toBeTruthy();
  });

  it("is read-only without connections:write, and speaks Swedish", async () => {
    const { tenantId, token } = await tenant("connections:read");
    await world.api.connections.create({
      tenantId,
      appId: apps.crm,
      parameters: { apiKey: "crm-key-123456" },
    });
    const { container } = renderWithTenantry(<ConnectionUI />, { link, token, locale: "sv-SE" });
    expect(await screen.findByText("Du kan se anslutningarna men inte ändra dem.")).toBeTruthy();
    expect(within(rowOf("Acme CRM")).getByText("Ansluten")).toBeTruthy();
    expect(screen.queryAllByRole("button")).toEqual([]);
    expect(container.querySelector(".tnt-root")?.getAttribute("lang")).toBe("sv-SE");
    await expectNoAxeViolations(container);
  });
});
