import { createHarness, type Harness } from "@tenantry/api/testing";
import { cleanup, screen, within } from "@testing-library/react";
import axe from "axe-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inProcessLink } from "../testing/in-process-link.js";
import { renderWithTenantry } from "../testing/render.js";
import { createTenantFor, createWidgetWorld, type WidgetWorld } from "../testing/world.js";
import { UsageMeter } from "./UsageMeter.js";

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
/** A tenant with an AI credit limit and some credits spent, recorded through the real usage API. */
async function tenantWithUsage(limit: number | null, spent: number[]) {
  const sub = `usage-${++counter}`;
  const tenantId = await createTenantFor(world.api, sub);
  if (limit !== null) await world.api.tenants.patch({ id: tenantId, aiCreditsRolling30DayLimit: limit });
  for (const amount of spent) await world.api.usage.record({ tenantId, metric: "ai_credits", amount });
  return world.signToken({ sub, scope: "usage:read" });
}

describe("UsageMeter", () => {
  it("shows used of limit with a labelled bar and the window, and passes axe", async () => {
    const token = await tenantWithUsage(1000, [120, 30]);
    const { container } = renderWithTenantry(<UsageMeter />, { link, token, locale: "en" });
    const bar = await screen.findByRole("progressbar", { name: "AI credits" });
    expect(bar.getAttribute("aria-valuenow")).toBe("150");
    expect(bar.getAttribute("aria-valuemax")).toBe("1000");
    expect(screen.getByText("150 of 1,000 credits")).toBeTruthy();
    expect(screen.getByText(/Last 30 days/)).toBeTruthy();
    expect(screen.queryByText(/of the limit used/)).toBeNull();
    const results = await axe.run(container);
    expect(results.violations).toEqual([]);
  });

  it("warns from 80 % and says when the limit is reached, in Swedish too", async () => {
    const near = await tenantWithUsage(100, [85]);
    renderWithTenantry(<UsageMeter />, { link, token: near, locale: "en" });
    // Percentages as each language writes them (Intl.NumberFormat): no space in English.
    expect(await screen.findByText("85% of the limit used.")).toBeTruthy();
    expect(screen.getByRole("progressbar").getAttribute("aria-valuetext")).toBe("85% used");
    cleanup();
    renderWithTenantry(<UsageMeter />, { link, token: near, locale: "sv-SE" });
    expect(await screen.findByText(/^85\s%\sav gränsen är förbrukat\.$/)).toBeTruthy();
    cleanup();

    const full = await tenantWithUsage(50, [50]);
    renderWithTenantry(<UsageMeter />, { link, token: full, locale: "sv-SE" });
    const item = (await screen.findByText("AI-krediter")).closest("li")!;
    expect(item.getAttribute("data-state")).toBe("at-limit");
    expect(within(item).getByText(/Gränsen är nådd/)).toBeTruthy();
  });

  it("says unlimited without a bar, and shows an error with retry for a token without usage:read", async () => {
    const unlimited = await tenantWithUsage(null, [7]);
    renderWithTenantry(<UsageMeter />, { link, token: unlimited, locale: "en" });
    expect(await screen.findByText("7 credits, no limit")).toBeTruthy();
    expect(screen.queryByRole("progressbar")).toBeNull();
    cleanup();

    const sub = `usage-${++counter}`;
    await createTenantFor(world.api, sub);
    const noScope = await world.signToken({ sub, scope: "fields:read" });
    renderWithTenantry(<UsageMeter />, { link, token: noScope, locale: "en" });
    // Not asked at all: the widget knows from /me that the server would refuse, and says why.
    expect((await screen.findByRole("alert")).querySelector("p")?.textContent).toBe(
      "Could not load: Your access does not include the permission usage:read. Ask an admin of this tenant for it.",
    );
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });
});
