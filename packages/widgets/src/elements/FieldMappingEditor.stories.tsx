import type { Meta, StoryObj } from "@storybook/react-vite";
import { expect, userEvent, waitFor, within } from "storybook/test";
import { type StoryLoaded, StoryProvider, storyLoaded } from "../testing/story-kit.js";
import { FieldMappingEditor } from "./FieldMappingEditor.js";
import { createElementWorld, type ElementStoryOptions } from "./stories-world.js";

type Loaded = StoryLoaded;

type Args = { theme: "light" | "dark" | "system"; locale: string | undefined };
const LOAD = { timeout: 15_000 };

const meta = {
  title: "Widgets/FieldMappingEditor",
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
        <FieldMappingEditor type="field_mapping" elementKey="contacts-sync" />
      </StoryProvider>
    );
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Map the host's Name to a constant instead of the external field; the row is then customized. */
export const MapToConstant: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const name = await canvas.findByLabelText("Import: Name", {}, LOAD);
    await waitFor(() => expect(name).toHaveValue("f:full_name"));
    await userEvent.selectOptions(name, "Constant value");
    await userEvent.type(canvas.getByLabelText("Constant value for Import: Name"), "Anonymous");
    await userEvent.click(canvas.getByRole("button", { name: "Save changes" }));
    await expect(await canvas.findByText("Customized")).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Reset to default: Import: Name" })).toBeVisible();
  },
};

export const DarkTheme: Story = {
  args: { theme: "dark" },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByLabelText("Export: Email", {}, LOAD)).toBeVisible();
  },
};

export const Swedish: Story = {
  parameters: { element: { locale: "sv-SE" } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByLabelText("Import: Name", {}, LOAD)).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Spara ändringar" })).toBeVisible();
  },
};
