import { createHarness, type Harness } from "@tenantry/api/testing";
import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inProcessLink } from "../testing/in-process-link.js";
import { renderWithTenantry } from "../testing/render.js";
import { createTenantFor, createWidgetWorld, type WidgetWorld } from "../testing/world.js";
import { ElementConfigForm } from "./ElementConfigForm.js";
import { FieldMappingEditor } from "./FieldMappingEditor.js";

let h: Harness;
let world: WidgetWorld;
let link: ReturnType<typeof inProcessLink>;

beforeAll(async () => {
  h = await createHarness();
  world = await createWidgetWorld(h.api);
  link = inProcessLink({ db: h.handle.db, keyring: h.keyring });
});
afterAll(() => h.close());
afterEach(() => cleanup());

let counter = 0;
async function tenantToken(scope = "elements:read elements:write") {
  const sub = `elements-${++counter}`;
  const tenantId = await createTenantFor(world.api, sub);
  return { tenantId, token: await world.signToken({ sub, scope }) };
}

const syncTemplate = (key: string) =>
  world.api.elementTemplates.create({
    type: "flow",
    key,
    name: "Contact sync",
    definition: { schedule: { every: 60, enabled: true }, label: "Sync" },
    configSchema: {
      type: "object",
      properties: {
        schedule: {
          type: "object",
          title: "Schedule",
          properties: {
            every: { type: "integer", minimum: 5, maximum: 1440, title: "Every (minutes)" },
            enabled: { type: "boolean", title: "Enabled" },
          },
        },
        label: { type: "string", title: "Label", maxLength: 20 },
      },
    },
  });

describe("ElementConfigForm", () => {
  it("customizes a field, follows the template elsewhere, flags the update and resets, and passes axe", async () => {
    const template = await syncTemplate("dom-sync");
    const { tenantId, token } = await tenantToken();
    const user = userEvent.setup();
    renderWithTenantry(<ElementConfigForm type="flow" elementKey="dom-sync" />, {
      link,
      token,
      locale: "en",
    });
    const every = await screen.findByLabelText("Schedule › Every (minutes)");
    expect((every as HTMLInputElement).value).toBe("60");
    await user.clear(every);
    await user.type(every, "15");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Customized")).toBeTruthy();
    expect(screen.getByText("Default: 60")).toBeTruthy();

    // The host changes the template: the label follows, the customized field is flagged.
    await world.api.elementTemplates.update({
      id: template.id,
      revision: 1,
      definition: { schedule: { every: 30, enabled: true }, label: "Sync v2" },
    });
    cleanup();
    const second = renderWithTenantry(<ElementConfigForm type="flow" elementKey="dom-sync" />, {
      link,
      token,
      locale: "en",
    });
    expect(((await screen.findByLabelText("Label")) as HTMLInputElement).value).toBe("Sync v2");
    expect(((await screen.findByLabelText("Schedule › Every (minutes)")) as HTMLInputElement).value).toBe(
      "15",
    );
    expect(screen.getByText("Update available")).toBeTruthy();
    expect((await axe.run(second.container)).violations).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Reset to default: Schedule › Every (minutes)" }));
    await waitFor(() => expect(screen.queryByText("Customized")).toBeNull());
    expect(((await screen.findByLabelText("Schedule › Every (minutes)")) as HTMLInputElement).value).toBe(
      "30",
    );
    const stored = await h.api.elements.resolve({ tenantId, templateId: template.id, instanceKey: "" });
    expect(stored.overrides).toEqual({});
  });

  it("shows the server's answer on the field and is read-only without elements:write", async () => {
    await syncTemplate("dom-sync-2");
    const { token } = await tenantToken();
    const user = userEvent.setup();
    renderWithTenantry(<ElementConfigForm type="flow" elementKey="dom-sync-2" />, {
      link,
      token,
      locale: "sv-SE",
    });
    const every = await screen.findByLabelText("Schedule › Every (minutes)");
    await user.clear(every);
    await user.type(every, "1");
    await user.click(screen.getByRole("button", { name: "Spara ändringar" }));
    await waitFor(() => expect(every.getAttribute("aria-invalid")).toBe("true"));
    cleanup();

    const readOnly = await tenantToken("elements:read");
    renderWithTenantry(<ElementConfigForm type="flow" elementKey="dom-sync-2" />, {
      link,
      token: readOnly.token,
      locale: "en",
    });
    expect(((await screen.findByLabelText("Label")) as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByRole("button", { name: "Save changes" })).toBeNull();
  });
});

describe("FieldMappingEditor", () => {
  it("maps host fields to the data source's fields or a constant", async () => {
    await world.api.elementTemplates.create({
      type: "data_source",
      key: "people",
      name: "People",
      definition: { fields: { mail: { title: "E-mail" }, fullName: { title: "Full name" } } },
    });
    await world.api.elementTemplates.create({
      type: "field_mapping",
      key: "people-import",
      name: "People import",
      dataSourceKey: "people",
      direction: "import",
      definition: { import: { email: { field: "mail" }, name: {} } },
      configSchema: {
        type: "object",
        properties: {
          import: {
            type: "object",
            properties: {
              email: { type: "object", title: "Email" },
              name: { type: "object", title: "Name" },
            },
          },
        },
      },
    });
    const { tenantId, token } = await tenantToken();
    const user = userEvent.setup();
    const { container } = renderWithTenantry(
      <FieldMappingEditor type="field_mapping" elementKey="people-import" />,
      {
        link,
        token,
        locale: "en",
      },
    );
    const name = (await screen.findByLabelText("Import: Name")) as HTMLSelectElement;
    await screen.findAllByRole("option", { name: "Full name (fullName)" });
    expect(((await screen.findByLabelText("Import: Email")) as HTMLSelectElement).value).toBe("f:mail");
    await user.selectOptions(name, "Constant value");
    await user.type(screen.getByLabelText("Constant value for Import: Name"), "Anonymous");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Customized")).toBeTruthy();
    expect((await axe.run(container)).violations).toEqual([]);
    const element = await h.api.elements.resolve({
      tenantId,
      type: "field_mapping",
      key: "people-import",
      instanceKey: "",
    });
    expect(element.overrides).toEqual({ "/import/name": { value: "Anonymous" } });
  });
});
