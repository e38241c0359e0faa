import type { Meta, StoryObj } from "@storybook/react-vite";
import { useState } from "react";
import { expect, userEvent, within } from "storybook/test";
import { ConfirmDialog } from "./Dialog.js";

type Args = { theme: "light" | "dark" };

function DestructiveConfirmation({ theme }: Args) {
  const [open, setOpen] = useState(false);
  const [removed, setRemoved] = useState(false);
  return (
    <div className="tnt-root" data-theme={theme} lang="en">
      <div className="tnt-card">
        <p>{removed ? "Anna was removed." : "Anna Lind · admin"}</p>
        <div className="tnt-actions">
          <button type="button" className="tnt-button tnt-button-danger" onClick={() => setOpen(true)}>
            Remove Anna
          </button>
        </div>
      </div>
      <ConfirmDialog
        open={open}
        destructive
        title="Remove Anna Lind from Acme Corp?"
        description="Anna loses access to Acme Corp at once. Her account and activity history are kept."
        confirmLabel="Remove member"
        cancelLabel="Cancel"
        onCancel={() => setOpen(false)}
        onConfirm={() => {
          setRemoved(true);
          setOpen(false);
        }}
      />
    </div>
  );
}

/** The shared modal the member table uses for destructive actions (native <dialog>). */
const meta = {
  title: "Widgets/Shared/ConfirmDialog",
  component: DestructiveConfirmation,
  args: { theme: "light" },
  argTypes: { theme: { control: "inline-radio", options: ["light", "dark"] } },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<typeof meta>;

const openIt: Story["play"] = async ({ canvasElement }) => {
  const canvas = within(canvasElement);
  await userEvent.click(canvas.getByRole("button", { name: "Remove Anna" }));
  const dialog = within(canvasElement.ownerDocument.body).getByRole("dialog", {
    name: "Remove Anna Lind from Acme Corp?",
  });
  await expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
};

export const Destructive: Story = { play: openIt };
export const DestructiveDark: Story = { args: { theme: "dark" }, play: openIt };
