import type { Decorator, Meta, StoryObj } from "@storybook/react-vite";
import { useEffect, useState } from "react";
import { expect, userEvent, waitFor, within } from "storybook/test";
import { createStoryWorld } from "../testing/browser-backend.js";
import { type StoryLoaded, StoryProvider, storyLoaded } from "../testing/story-kit.js";
import { MANY_FIELDS_SCHEMA, MANY_FIELDS_VALUES } from "../testing/world.js";
import { TenantFieldsForm } from "./TenantFieldsForm.js";

/** What a story's loader sets up: its own workspace, schema, tenant and token in the in-browser DB. */
interface WorldParameters {
  schema?: typeof MANY_FIELDS_SCHEMA;
  values?: Record<string, unknown>;
  locale?: string;
  scope?: string;
  invalidToken?: boolean;
  /** Holds every call this long (ms) before it reaches the router; Infinity keeps it loading. */
  delay?: number;
}

type Loaded = StoryLoaded;

type Args = { theme: "light" | "dark" | "system"; locale: string | undefined; title: string | undefined };

const meta = {
  title: "Widgets/TenantFieldsForm",
  component: TenantFieldsForm,
  args: { theme: "light", locale: undefined, title: undefined },
  argTypes: {
    theme: { control: "inline-radio", options: ["light", "dark", "system"] },
    locale: { control: "select", options: [undefined, "en", "sv-SE"] },
  },
  loaders: [
    async ({ parameters }): Promise<Loaded> => {
      // Not set on the meta: Storybook deep-merges parameters, and a story must be able to drop the schema.
      const options: WorldParameters = (parameters.world as WorldParameters | undefined) ?? {
        schema: MANY_FIELDS_SCHEMA,
        values: MANY_FIELDS_VALUES,
      };
      const world = await createStoryWorld(options);
      return storyLoaded(world, options.delay);
    },
  ],
  render: (args, { loaded }) => {
    return (
      <StoryProvider loaded={loaded} theme={args.theme} locale={args.locale}>
        <TenantFieldsForm {...(args.title ? { title: args.title } : {})} />
      </StoryProvider>
    );
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Ten fields of every kind, filled in: text, email, url, integer and number with bounds, selects, date, boolean, secret. */
export const ManyFields: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByLabelText(/Company name/, {}, { timeout: 15_000 })).toHaveValue(
      "Northwind Traders",
    );
    await expect(canvas.getByRole("button", { name: "Set: CRM API key" })).toBeVisible();
  },
};

/** The first render, while the token and the fields load: a skeleton marked busy. */
export const Loading: Story = {
  parameters: {
    world: { schema: MANY_FIELDS_SCHEMA, values: MANY_FIELDS_VALUES, delay: Number.POSITIVE_INFINITY },
  },
  play: async ({ canvasElement }) => {
    await expect(canvasElement.querySelector('[aria-busy="true"]')).not.toBeNull();
  },
};

/** A workspace that has not defined any fields yet. */
export const EmptySchema: Story = {
  parameters: { world: {} satisfies WorldParameters },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByText("There are no settings to fill in yet.", {}, { timeout: 15_000 });
  },
};

/** Client-side validation from the same JSON Schema: a bad email and a number out of bounds. */
export const ValidationError: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const email = await canvas.findByLabelText(/Billing email/, {}, { timeout: 15_000 });
    await userEvent.clear(email);
    await userEvent.type(email, "billing-at-northwind");
    const seats = canvas.getByLabelText(/Seats/);
    await userEvent.clear(seats);
    await userEvent.type(seats, "900");
    await userEvent.click(canvas.getByRole("button", { name: "Save changes" }));
    await canvas.findByText("Enter an email address, like name@example.com.");
    await expect(canvas.getByText("Must be at most 500.")).toBeVisible();
    await waitFor(() => expect(email).toHaveFocus());
  },
};

/** The server's answer on its field: the operator tightened the schema while the form was open. */
export const ServerError: Story = {
  play: async ({ canvasElement, loaded }) => {
    const { world } = loaded as Loaded;
    const canvas = within(canvasElement);
    const name = await canvas.findByLabelText(/Company name/, {}, { timeout: 15_000 });
    await world.api.fields.putSchema({
      schema: {
        ...MANY_FIELDS_SCHEMA,
        properties: {
          ...MANY_FIELDS_SCHEMA.properties,
          companyName: { type: "string", title: "Company name", maxLength: 10, "x-order": 1 },
        },
      },
    });
    await userEvent.clear(name);
    await userEvent.type(name, "Northwind Traders International");
    await userEvent.click(canvas.getByRole("button", { name: "Save changes" }));
    await canvas.findByText(/must be at most 10 characters/);
    await expect(name).toHaveAttribute("aria-invalid", "true");
  },
};

/** Fields the operator added after the tenant was created: one required, one with a default. */
const GROWN_SCHEMA: typeof MANY_FIELDS_SCHEMA = {
  ...MANY_FIELDS_SCHEMA,
  required: [...MANY_FIELDS_SCHEMA.required, "costCenter"],
  properties: {
    ...MANY_FIELDS_SCHEMA.properties,
    tier: { type: "string", enum: ["basic", "standard"], default: "standard", title: "Tier", "x-order": 11 },
    costCenter: { type: "string", title: "Cost center", "x-order": 12 },
  },
};

/** Changes the schema before the form first loads, as an operator did after the tenant existed. */
function AfterSchemaChange(props: { loaded: unknown; theme: Args["theme"]; locale: string | undefined }) {
  const [changed, setChanged] = useState(false);
  useEffect(() => {
    void (props.loaded as Loaded).world.api.fields
      .putSchema({ schema: GROWN_SCHEMA })
      .then(() => setChanged(true));
  }, [props.loaded]);
  if (!changed) return null;
  return (
    <StoryProvider loaded={props.loaded} theme={props.theme} locale={props.locale}>
      <TenantFieldsForm />
    </StoryProvider>
  );
}

/**
 * The schema gained a required field after the tenant was created: the form says what to fill in,
 * and "Fill in now" takes the keyboard there. An unset field shows its default until saved.
 */
export const MissingRequiredFields: Story = {
  render: (args, { loaded }) => <AfterSchemaChange loaded={loaded} theme={args.theme} locale={args.locale} />,
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const alert = await canvas.findByRole("alert", {}, { timeout: 15_000 });
    await expect(alert).toHaveTextContent("Please fill in: Cost center.");
    await expect(canvas.getByLabelText(/^Tier/)).toHaveValue("standard");
    await expect(canvas.getByText("You have unsaved changes.")).toBeVisible();
    await userEvent.click(within(alert).getByRole("button", { name: "Fill in now" }));
    await waitFor(() => expect(canvas.getByLabelText(/Cost center/)).toHaveFocus());
  },
};

/** A token without `fields:write`: everything readable, nothing editable, no save. */
export const ReadOnly: Story = {
  parameters: { world: { schema: MANY_FIELDS_SCHEMA, values: MANY_FIELDS_VALUES, scope: "fields:read" } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByText("You can view these settings but not change them.", {}, { timeout: 15_000 });
    await expect(canvas.queryByRole("button", { name: "Save changes" })).toBeNull();
  },
};

/** The token is refused and cannot be refreshed: the error with a retry. */
export const LoadError: Story = {
  parameters: { world: { schema: MANY_FIELDS_SCHEMA, values: MANY_FIELDS_VALUES, invalidToken: true } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByRole("alert", {}, { timeout: 15_000 });
    await expect(canvas.getByRole("button", { name: "Try again" })).toBeVisible();
  },
};

const darkPage: Decorator = (Story) => (
  <div style={{ background: "#0d1016", padding: 24, minHeight: "100vh" }}>
    <Story />
  </div>
);

/** The built-in dark theme. */
export const DarkTheme: Story = {
  args: { theme: "dark" },
  decorators: [darkPage],
  parameters: { layout: "fullscreen" },
  play: ManyFields.play,
};

/** The tenant's locale is sv-SE, so the widget speaks Swedish with Swedish number formats. */
export const Swedish: Story = {
  parameters: { world: { schema: MANY_FIELDS_SCHEMA, values: MANY_FIELDS_VALUES, locale: "sv-SE" } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByRole("button", { name: "Spara ändringar" }, { timeout: 15_000 });
    await expect(canvas.getByText("Mellan 1 och 500.")).toBeVisible();
  },
};

const aggressiveHostCss: Decorator = (Story) => (
  <div className="host-page">
    <style>{`
      .host-page * { font-family: "Comic Sans MS", cursive; letter-spacing: 2px; text-transform: uppercase; }
      .host-page input, .host-page select, .host-page button { border: 4px dashed red; background: yellow; padding: 20px; width: 50px; float: right; }
      .host-page label { display: none; }
      .host-page h2 { font-size: 60px; color: purple; }
      .host-page p { margin: 40px; color: green; }
      .host-page div { border: 1px solid magenta; }
    `}</style>
    <p>The host page's own text is styled by its own (aggressive) rules.</p>
    <Story />
  </div>
);

/** Inside a host page whose global CSS restyles every element: the widget keeps its look. */
export const InsideAggressiveHostCss: Story = {
  decorators: [aggressiveHostCss],
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const name = await canvas.findByLabelText(/Company name/, {}, { timeout: 15_000 });
    await expect(getComputedStyle(name).float).toBe("none");
    await expect(canvas.getByText("Company name")).toBeVisible();
  },
};
