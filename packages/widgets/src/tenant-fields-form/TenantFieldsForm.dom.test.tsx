import { createHarness, type Harness } from "@tenantry/api/testing";
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inProcessLink } from "../testing/in-process-link.js";
import { renderWithTenantry } from "../testing/render.js";
import {
  createTenantFor,
  createWidgetWorld,
  MANY_FIELDS_SCHEMA,
  MANY_FIELDS_VALUES,
  type WidgetWorld,
} from "../testing/world.js";
import { TenantFieldsForm } from "./TenantFieldsForm.js";

let h: Harness;
let world: WidgetWorld;
let link: ReturnType<typeof inProcessLink>;
const calls: string[] = [];

beforeAll(async () => {
  h = await createHarness();
  world = await createWidgetWorld(h.api, { schema: MANY_FIELDS_SCHEMA });
  link = inProcessLink({ db: h.handle.db, keyring: h.keyring, beforeCall: (path) => void calls.push(path) });
});
afterAll(() => h.close());
afterEach(() => {
  cleanup();
  calls.length = 0;
});

let counter = 0;
/** A fresh tenant with the sample values, and a token for it. */
async function tenantWithToken(scope = "fields:read fields:write", extra: { locale?: string } = {}) {
  const sub = `host-org-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  const tenantId = await createTenantFor(h.api, sub, {
    name: `Org ${counter}`,
    fields: MANY_FIELDS_VALUES,
    ...extra,
  });
  const token = await world.signToken({ sub, scope });
  return { sub, tenantId, token };
}

async function expectNoAxeViolations(container: HTMLElement) {
  // happy-dom lays nothing out, so contrast is checked in Chromium (Storybook); every other rule runs here.
  const results = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`)).toEqual([]);
}

describe("TenantFieldsForm against the real router", () => {
  it("shows a busy loading state, then every field labelled with its stored value", async () => {
    const { token } = await tenantWithToken();
    const { container } = renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    expect(container.querySelector('[aria-busy="true"]')).not.toBeNull();
    expect(screen.getByRole("status")).toBeTruthy();

    expect(await screen.findByLabelText(/Company name/)).toHaveProperty("value", "Northwind Traders");
    expect(screen.getByLabelText(/Billing email/)).toHaveProperty("type", "email");
    expect(screen.getByLabelText(/Website/)).toHaveProperty("type", "url");
    expect(screen.getByLabelText(/Seats/)).toMatchObject({
      type: "number",
      value: "42",
      min: "1",
      max: "500",
    });
    expect(screen.getByLabelText(/Discount/)).toHaveProperty("value", "12.5");
    expect(screen.getByLabelText(/^Plan/)).toHaveProperty("value", "growth");
    expect(screen.getByLabelText(/Renewal date/)).toMatchObject({ type: "date", value: "2027-03-01" });
    expect(screen.getByLabelText(/Require single sign-on/)).toHaveProperty("checked", true);
    // The secret is write-only: a Set button, no input and no value anywhere.
    expect(screen.getByRole("button", { name: "Set: CRM API key" })).toBeTruthy();
    expect(screen.getByLabelText(/Billing email/).getAttribute("aria-describedby")).toBeTruthy();
    expect(screen.getByText("Between 1 and 500.")).toBeTruthy();
    expect(container.querySelector('[aria-busy="true"]')).toBeNull();
    expect(container.querySelector(".tnt-root")?.getAttribute("lang")).toBe("en");
    await expectNoAxeViolations(container);
  });

  it("saves only the changed fields, resets dirty state and stores them", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenantWithToken();
    renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    const seats = await screen.findByLabelText(/Seats/);
    const save = screen.getByRole("button", { name: "Save changes" });
    expect(save).toHaveProperty("disabled", true);

    await user.clear(seats);
    await user.type(seats, "64");
    await user.click(screen.getByLabelText(/Require single sign-on/));
    expect(screen.getByText("You have unsaved changes.")).toBeTruthy();
    await user.click(save);

    await screen.findByText("Changes saved.");
    const stored = await h.api.fields.getForTenant({ tenantId });
    expect(stored.values).toMatchObject({ ...MANY_FIELDS_VALUES, seats: 64, ssoEnforced: false });
    expect(save).toHaveProperty("disabled", true);
    const activity = await h.api.activity.listForTenant({ tenantId });
    expect(activity.items[0]).toMatchObject({ action: "tenant.fields_updated" });
  });

  it("can be filled in and saved with the keyboard alone", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenantWithToken();
    renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    const name = await screen.findByLabelText(/Company name/);
    await user.tab();
    expect(document.activeElement).toBe(name);
    await user.keyboard("{Control>}a{/Control}Contoso");
    await user.tab(); // Billing email
    await user.tab(); // Website
    await user.tab(); // Seats
    await user.keyboard("{Control>}a{/Control}7");
    // Tab on to the Save button (past the other fields and Discard), then press Enter.
    const save = screen.getByRole("button", { name: "Save changes" });
    for (let i = 0; i < 12 && document.activeElement !== save; i++) await user.tab();
    expect(document.activeElement).toBe(save);
    await user.keyboard("{Enter}");
    await screen.findByText("Changes saved.");
    expect((await h.api.fields.getForTenant({ tenantId })).values).toMatchObject({
      companyName: "Contoso",
      seats: 7,
    });
  });

  it("discards edits on reset", async () => {
    const user = userEvent.setup();
    const { token } = await tenantWithToken();
    renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    const name = await screen.findByLabelText(/Company name/);
    await user.type(name, " AB");
    await user.click(screen.getByRole("button", { name: "Discard changes" }));
    expect(name).toHaveProperty("value", "Northwind Traders");
    expect(screen.getByRole("button", { name: "Save changes" })).toHaveProperty("disabled", true);
  });

  it("validates on the client from the same JSON Schema, focuses the first error and sends nothing", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenantWithToken();
    const { container } = renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    const email = await screen.findByLabelText(/Billing email/);
    const seats = screen.getByLabelText(/Seats/);
    await user.clear(email);
    await user.type(email, "not-an-email");
    await user.clear(seats);
    await user.type(seats, "900");
    calls.length = 0;
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    expect(await screen.findByText("Enter an email address, like name@example.com.")).toBeTruthy();
    expect(screen.getByText("Must be at most 500.")).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("Please correct the 2 highlighted fields.");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(email.getAttribute("aria-describedby")).toContain(screen.getByText(/Enter an email address/).id);
    await waitFor(() => expect(document.activeElement).toBe(email));
    expect(calls).not.toContain("fields.patchForTenant");
    expect((await h.api.fields.getForTenant({ tenantId })).values).toMatchObject(MANY_FIELDS_VALUES);
    await expectNoAxeViolations(container);
  });

  it("shows the server's errors on their fields (the schema changed while the form was open)", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenantWithToken();
    renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    const name = await screen.findByLabelText(/Company name/);
    // The operator tightens the schema after the form loaded it: the client's copy is stale.
    await h.api.fields.putSchema({
      schema: {
        ...MANY_FIELDS_SCHEMA,
        properties: {
          ...MANY_FIELDS_SCHEMA.properties,
          companyName: { type: "string", title: "Company name", maxLength: 10, "x-order": 1 },
        },
      },
    });
    try {
      await user.clear(name);
      await user.type(name, "A much longer company name");
      await user.click(screen.getByRole("button", { name: "Save changes" }));
      const error = await screen.findByText(/must be at most 10 characters/);
      expect(name.getAttribute("aria-invalid")).toBe("true");
      expect(name.getAttribute("aria-describedby")).toContain(error.id);
      expect((await h.api.fields.getForTenant({ tenantId })).values.companyName).toBe("Northwind Traders");
    } finally {
      await h.api.fields.putSchema({ schema: MANY_FIELDS_SCHEMA });
    }
  });

  it("asks to reload when the tenant's fields changed elsewhere (version conflict)", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenantWithToken();
    renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    const name = await screen.findByLabelText(/Company name/);
    await h.api.fields.patchForTenant({ tenantId, fields: { website: "https://elsewhere.example" } });
    await user.clear(name);
    await user.type(name, "Mine");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("changed elsewhere");
    expect((await h.api.fields.getForTenant({ tenantId })).values.companyName).toBe("Northwind Traders");
    await user.click(within(alert).getByRole("button", { name: "Reload" }));
    await waitFor(() =>
      expect(screen.getByLabelText(/Website/)).toHaveProperty("value", "https://elsewhere.example"),
    );
    expect(screen.getByLabelText(/Company name/)).toHaveProperty("value", "Northwind Traders");
  });

  it("sets a secret write-only: it is stored sealed and never shown", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenantWithToken();
    const { container } = renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    await user.click(await screen.findByRole("button", { name: "Set: CRM API key" }));
    const input = screen.getByLabelText(/CRM API key/);
    expect(input).toHaveProperty("type", "password");
    expect(document.activeElement).toBe(input);
    await user.type(input, "short");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Must be at least 8 characters.")).toBeTruthy();

    await user.type(input, "-but-long-enough");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await screen.findByText("Changes saved.");
    expect(screen.getByText("A value is stored. It is never shown.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Replace: CRM API key" })).toBeTruthy();
    expect(container.innerHTML).not.toContain("short-but-long-enough");
    const stored = await h.api.fields.getForTenant({ tenantId });
    expect(stored.secretFieldsSet).toEqual(["crmApiKey"]);
    expect(JSON.stringify(stored)).not.toContain("short-but-long-enough");
    expect(await h.api.tenants.secretFields({ id: tenantId })).toMatchObject({
      values: { crmApiKey: "short-but-long-enough" },
    });
  });

  it("asks for the required fields a new tenant's token did not bring, and Fill in now takes the keyboard there", async () => {
    const user = userEvent.setup();
    // A token for a new sub without fields: the tenant is created all the same, marked incomplete.
    const sub = `host-org-new-${Math.random().toString(36).slice(2, 8)}`;
    const token = await world.signToken({ sub, scope: "fields:read fields:write" });
    const { container } = renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Please fill in: Company name, Billing email, Seats.");
    expect(screen.getAllByText("This field is required.")).toHaveLength(3);
    await expectNoAxeViolations(container);

    await user.click(within(alert).getByRole("button", { name: "Fill in now" }));
    const name = screen.getByLabelText(/Company name/);
    expect(document.activeElement).toBe(name);
    await user.type(name, "Fabrikam");
    // What is typed in is no longer asked for; the rest still is.
    expect(screen.getByRole("alert").textContent).toContain("Please fill in: Billing email, Seats.");
    await user.type(screen.getByLabelText(/Billing email/), "billing@fabrikam.example");
    await user.type(screen.getByLabelText(/Seats/), "3");
    expect(screen.queryByRole("alert")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await screen.findByText("Changes saved.");
    const [tenant] = (await h.api.tenants.list({ internalId: sub })).items;
    expect(tenant!.fieldsStatus).toEqual({ complete: true, missing: [], invalid: [] });
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("does not ask a token without fields:write to fill in, but still marks the missing fields", async () => {
    const sub = `host-org-viewer-${Math.random().toString(36).slice(2, 8)}`;
    const token = await world.signToken({ sub, scope: "fields:read" });
    renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    await screen.findByText("You can view these settings but not change them.");
    expect(screen.getAllByText("This field is required.")).toHaveLength(3);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByRole("button", { name: "Fill in now" })).toBeNull();
  });

  it("shows a field's default for an existing tenant without storing it until saved", async () => {
    const user = userEvent.setup();
    const { tenantId, token } = await tenantWithToken();
    // Fields added after the tenant was created: one with a default, one required without one.
    await h.api.fields.putSchema({
      schema: {
        ...MANY_FIELDS_SCHEMA,
        required: [...MANY_FIELDS_SCHEMA.required, "costCenter"],
        properties: {
          ...MANY_FIELDS_SCHEMA.properties,
          tier: {
            type: "string",
            enum: ["basic", "standard"],
            default: "standard",
            title: "Tier",
            "x-order": 11,
          },
          costCenter: { type: "string", title: "Cost center", "x-order": 12 },
          // A default that looks like no value: still stored on save.
          newsletter: { type: "boolean", default: false, title: "Newsletter", "x-order": 13 },
        },
      },
    });
    try {
      renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
      expect(await screen.findByLabelText(/^Tier/)).toHaveProperty("value", "standard");
      expect((await h.api.fields.getForTenant({ tenantId })).values).not.toHaveProperty("tier");
      expect(screen.getByRole("alert").textContent).toContain("Please fill in: Cost center.");
      // The default is a proposal: saving stores it; there is no edit of the user's to discard.
      expect(screen.getByText("You have unsaved changes.")).toBeTruthy();
      expect(screen.getByRole("button", { name: "Discard changes" })).toHaveProperty("disabled", true);

      await user.click(screen.getByRole("button", { name: "Fill in now" }));
      expect(document.activeElement).toBe(screen.getByLabelText(/Cost center/));
      await user.keyboard("CC-7");
      await user.click(screen.getByRole("button", { name: "Save changes" }));
      await screen.findByText("Changes saved.");
      const stored = await h.api.fields.getForTenant({ tenantId });
      expect(stored.values).toMatchObject({
        ...MANY_FIELDS_VALUES,
        tier: "standard",
        costCenter: "CC-7",
        newsletter: false,
      });
      expect(stored.fieldsStatus.complete).toBe(true);
    } finally {
      await h.api.fields.putSchema({ schema: MANY_FIELDS_SCHEMA });
    }
  });

  it("is read-only when the token lacks fields:write", async () => {
    const { token } = await tenantWithToken("fields:read");
    const { container } = renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    expect(await screen.findByText("You can view these settings but not change them.")).toBeTruthy();
    expect(screen.getByLabelText(/Company name/)).toHaveProperty("readOnly", true);
    expect(screen.getByLabelText(/^Plan/)).toHaveProperty("disabled", true);
    expect(screen.getByLabelText(/Require single sign-on/)).toHaveProperty("disabled", true);
    expect(screen.queryByRole("button", { name: "Save changes" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Set: CRM API key/ })).toBeNull();
    await expectNoAxeViolations(container);
  });

  it("shows an error with a retry that works once the token does", async () => {
    const user = userEvent.setup();
    const { token } = await tenantWithToken();
    let attempts = 0;
    const getToken = async () => {
      attempts++;
      if (attempts === 1) throw new Error("host session expired");
      return token;
    };
    const { container } = renderWithTenantry(<TenantFieldsForm />, { link, getToken, locale: "en" });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("host session expired");
    await expectNoAxeViolations(container);
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByLabelText(/Company name/)).toBeTruthy();
  });

  it("fetches a new token once after a 401 and retries the call", async () => {
    const { sub } = await tenantWithToken();
    const tokens = [
      await world.signToken({ sub, scope: "fields:read fields:write", unknownKey: true }),
      await world.signToken({ sub, scope: "fields:read fields:write" }),
    ];
    let handedOut = 0;
    const getToken = async () => tokens[Math.min(handedOut++, 1)]!;
    renderWithTenantry(<TenantFieldsForm />, { link, getToken, locale: "en" });
    expect(await screen.findByLabelText(/Company name/)).toBeTruthy();
    expect(handedOut).toBe(2);
  });

  it("a fixed token that is refused shows the error (no refresh possible)", async () => {
    const { sub } = await tenantWithToken();
    const token = await world.signToken({ sub, scope: "fields:read", unknownKey: true });
    renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en" });
    expect((await screen.findByRole("alert")).textContent).toContain("Invalid access token");
  });

  it("speaks the tenant's language (Swedish) unless the host overrides the locale", async () => {
    const { token } = await tenantWithToken("fields:read fields:write", { locale: "sv-SE" });
    const { container } = renderWithTenantry(<TenantFieldsForm />, { link, token });
    expect(await screen.findByRole("button", { name: "Spara ändringar" })).toBeTruthy();
    expect(screen.getByText("Mellan 1 och 500.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Ange: CRM API key" })).toBeTruthy();
    expect(container.querySelector(".tnt-root")?.getAttribute("lang")).toBe("sv-SE");
    cleanup();

    renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "en-GB" });
    expect(await screen.findByRole("button", { name: "Save changes" })).toBeTruthy();
  });

  it("formats numbers with Intl in the locale", async () => {
    const { token } = await tenantWithToken();
    await h.api.fields.putSchema({
      schema: {
        ...MANY_FIELDS_SCHEMA,
        properties: {
          ...MANY_FIELDS_SCHEMA.properties,
          seats: { type: "integer", title: "Seats", minimum: 1, maximum: 25000 },
        },
      },
    });
    try {
      renderWithTenantry(<TenantFieldsForm />, { link, token, locale: "sv-SE" });
      expect(await screen.findByText(/^Mellan 1 och 25\s000\.$/)).toBeTruthy();
    } finally {
      await h.api.fields.putSchema({ schema: MANY_FIELDS_SCHEMA });
    }
  });

  it("applies the theme to its root", async () => {
    const { token } = await tenantWithToken();
    const { container } = renderWithTenantry(<TenantFieldsForm />, { link, token, theme: "dark" });
    await screen.findByLabelText(/Company name/);
    expect(container.querySelector(".tnt-root")?.getAttribute("data-theme")).toBe("dark");
  });
});

describe("TenantFieldsForm with an empty schema", () => {
  let empty: Harness;
  beforeAll(async () => {
    empty = await createHarness();
  });
  afterAll(() => empty.close());

  it("says there is nothing to fill in", async () => {
    const emptyWorld = await createWidgetWorld(empty.api);
    const token = await emptyWorld.signToken({ sub: "org-empty", scope: "fields:read fields:write" });
    const { container } = renderWithTenantry(<TenantFieldsForm />, {
      link: inProcessLink({ db: empty.handle.db, keyring: empty.keyring }),
      token,
      locale: "en",
    });
    expect(await screen.findByText("There are no settings to fill in yet.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Save changes" })).toBeNull();
    await expectNoAxeViolations(container);
  });
});
