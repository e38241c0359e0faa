import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { ConfirmDialog } from "./Dialog.js";

afterEach(cleanup);

function Harness({ onConfirm }: { onConfirm: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="tnt-root">
      <button type="button" onClick={() => setOpen(true)}>
        Remove Anna
      </button>
      <ConfirmDialog
        open={open}
        destructive
        title="Remove Anna from Acme?"
        description="Anna loses access to Acme at once."
        confirmLabel="Remove"
        cancelLabel="Cancel"
        onCancel={() => setOpen(false)}
        onConfirm={() => {
          onConfirm();
          setOpen(false);
        }}
      />
    </div>
  );
}

describe("ConfirmDialog", () => {
  it("opens as a labelled modal with focus on Cancel, and confirms only on Remove", async () => {
    const user = userEvent.setup();
    let confirmed = 0;
    const { container } = render(<Harness onConfirm={() => confirmed++} />);
    await user.click(screen.getByRole("button", { name: "Remove Anna" }));
    const dialog = screen.getByRole("dialog", { name: "Remove Anna from Acme?" });
    expect(dialog).toHaveProperty("open", true);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.getByRole("button", { name: "Remove" }).getAttribute("aria-describedby")).toBe(
      screen.getByText("Anna loses access to Acme at once.").id,
    );
    const results = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
    expect(results.violations.map((v) => v.id)).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(dialog).toHaveProperty("open", false);
    expect(confirmed).toBe(0);

    await user.click(screen.getByRole("button", { name: "Remove Anna" }));
    await user.click(screen.getByRole("button", { name: "Remove" }));
    expect(confirmed).toBe(1);
    expect(dialog).toHaveProperty("open", false);
  });

  it("closes on the dialog's cancel event (what Esc fires) without confirming", async () => {
    const user = userEvent.setup();
    let confirmed = 0;
    render(<Harness onConfirm={() => confirmed++} />);
    await user.click(screen.getByRole("button", { name: "Remove Anna" }));
    const dialog = screen.getByRole("dialog");
    dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
    await screen.findByRole("button", { name: "Remove Anna" });
    expect(dialog).toHaveProperty("open", false);
    expect(confirmed).toBe(0);
  });
});
