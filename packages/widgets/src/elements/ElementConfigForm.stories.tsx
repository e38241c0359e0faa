import type { Meta, StoryObj } from "@storybook/react-vite";
import { expect, userEvent, waitFor, within } from "storybook/test";
import { type StoryLoaded, StoryProvider, storyLoaded } from "../testing/story-kit.js";
import { ElementConfigForm } from "./ElementConfigForm.js";
import { createElementWorld, type ElementStoryOptions, SYNC_DEFINITION } from "./stories-world.js";

type Loaded = StoryLoaded;

type Args = { theme: "light" | "dark" | "system"; locale: string | undefined };
const LOAD = { timeout: 15_000 };

const meta = {
  title: "Widgets/ElementConfigForm",
  args: { theme: "light", locale: undefined },
  argTypes: {
    theme: { control: "inline-radio", options: ["light", "dark", "system"] },
    locale: { control: "select", options: [undefined, "en", "sv-SE"] },
  },
  loaders: [
    async ({ parameters }): Promise<Loaded> => {
      const world = await createElementWorld((parameters.element as ElementStoryOptions | undefined) ?? {});
      return storyLoaded(world);
    },
  ],
  render: (args, { loaded }) => {
    return (
      <StoryProvider loaded={loaded} theme={args.theme} locale={args.locale}>
        <ElementConfigForm type="flow" elementKey="contact-sync" />
      </StoryProvider>
    );
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<typeof meta>;

/**
 * The whole story of an element: the tenant customizes the schedule, the host changes the template,
 * and on the tenant's next save the untouched label follows while the customized field is flagged.
 */
export const CustomizeThenTemplateChanges: Story = {
  play: async ({ canvasElement, loaded }) => {
    const { world } = loaded as Loaded;
    const canvas = within(canvasElement);
    const every = await canvas.findByLabelText("Schedule › Every (minutes)", {}, LOAD);
    await userEvent.clear(every);
    await userEvent.type(every, "15");
    await userEvent.click(canvas.getByRole("button", { name: "Save changes" }));
    await expect(await canvas.findByText("Customized")).toBeVisible();

    const [template] = (await world.api.elementTemplates.list()).items.filter(
      (t) => t.key === "contact-sync",
    );
    await world.api.elementTemplates.update({
      id: template!.id,
      revision: template!.revision,
      definition: { ...SYNC_DEFINITION, label: "Contact sync v2", schedule: { every: 30, enabled: true } },
    });
    await userEvent.click(canvas.getByLabelText("Schedule › Enabled"));
    await userEvent.click(canvas.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(canvas.getByLabelText("Label")).toHaveValue("Contact sync v2"));
    await expect(every).toHaveValue(15);
    await expect(canvas.getByText("Update available")).toBeVisible();
    await expect(canvas.getByText("Default: 30")).toBeVisible();
  },
};

/** Opened after the template moved on under a customized field: flagged, with its own reset. */
export const UpdateAvailable: Story = {
  parameters: { element: { outdated: true } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("Update available", {}, LOAD)).toBeVisible();
    await userEvent.click(
      canvas.getByRole("button", { name: "Reset to default: Schedule › Every (minutes)" }),
    );
    await waitFor(() => expect(canvas.getByLabelText("Schedule › Every (minutes)")).toHaveValue(30));
    await expect(canvas.queryByText("Customized")).toBeNull();
  },
};

/** The server checks the change against the config schema and says so on the field. */
export const InvalidValue: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const every = await canvas.findByLabelText("Schedule › Every (minutes)", {}, LOAD);
    await userEvent.clear(every);
    await userEvent.type(every, "2");
    await userEvent.click(canvas.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(every).toHaveAttribute("aria-invalid", "true"));
  },
};

/** A token with `elements:read` only: everything shown, nothing editable. */
export const ReadOnly: Story = {
  parameters: { element: { scope: "elements:read", outdated: true } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByLabelText("Label", {}, LOAD)).toBeDisabled();
    await expect(canvas.queryByRole("button", { name: "Save changes" })).toBeNull();
  },
};

export const LoadError: Story = {
  parameters: { element: { invalidToken: true } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByRole("alert", {}, LOAD);
    await expect(canvas.getByRole("button", { name: "Try again" })).toBeVisible();
  },
};

export const DarkTheme: Story = {
  args: { theme: "dark" },
  parameters: { element: { outdated: true } },
  play: UpdateAvailable.play,
};

export const Swedish: Story = {
  parameters: { element: { locale: "sv-SE", outdated: true } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("Uppdatering finns", {}, LOAD)).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Spara ändringar" })).toBeVisible();
  },
};
