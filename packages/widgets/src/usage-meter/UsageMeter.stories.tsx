import type { Meta, StoryObj } from "@storybook/react-vite";
import { expect, within } from "storybook/test";
import { createStoryWorld } from "../testing/browser-backend.js";
import { type StoryLoaded, StoryProvider, storyLoaded } from "../testing/story-kit.js";
import { UsageMeter } from "./UsageMeter.js";

/** What a story's loader sets up: a tenant with an AI credit limit and usage recorded through the real API. */
interface UsageParameters {
  /** The tenant's aiCreditsRolling30DayLimit; null = unlimited. */
  limit?: number | null;
  /** Records of AI credits to make first. */
  spent?: number[];
  /** A second, workspace-defined metric with its own default limit. */
  exports?: number;
  scope?: string;
  locale?: string;
  invalidToken?: boolean;
  /** Infinity keeps every call waiting (the loading state). */
  delay?: number;
}

type Loaded = StoryLoaded;

type Args = { theme: "light" | "dark" | "system"; locale: string | undefined; title: string | undefined };

const LOAD = { timeout: 15_000 };

const meta = {
  title: "Widgets/UsageMeter",
  component: UsageMeter,
  args: { theme: "light", locale: undefined, title: undefined },
  argTypes: {
    theme: { control: "inline-radio", options: ["light", "dark", "system"] },
    locale: { control: "select", options: [undefined, "en", "sv-SE"] },
  },
  loaders: [
    async ({ parameters }): Promise<Loaded> => {
      const options: UsageParameters = (parameters.usage as UsageParameters | undefined) ?? {};
      const world = await createStoryWorld({
        scope: options.scope ?? "usage:read",
        ...(options.locale ? { locale: options.locale } : {}),
        ...(options.invalidToken ? { invalidToken: true } : {}),
      });
      const limit = options.limit === undefined ? 5000 : options.limit;
      if (limit !== null)
        await world.api.tenants.patch({ id: world.tenantId, aiCreditsRolling30DayLimit: limit });
      for (const amount of options.spent ?? [1240, 310]) {
        await world.api.usage.record({ tenantId: world.tenantId, metric: "ai_credits", amount });
      }
      if (options.exports !== undefined) {
        await world.api.usage.putMetric({
          key: "exports",
          unit: "exports",
          defaultLimit: 200,
          planLimits: {},
        });
        await world.api.usage.record({
          tenantId: world.tenantId,
          metric: "exports",
          amount: options.exports,
        });
      }
      return storyLoaded(world, options.delay);
    },
  ],
  render: (args, { loaded }) => {
    return (
      <StoryProvider loaded={loaded} theme={args.theme} locale={args.locale}>
        <UsageMeter />
      </StoryProvider>
    );
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<typeof meta>;

/** AI credits well within the limit, and a second metric of the workspace's own. */
export const WithinLimit: Story = {
  parameters: { usage: { exports: 42 } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("1,550 of 5,000 credits", {}, LOAD)).toBeVisible();
    await expect(canvas.getByText("42 of 200 exports")).toBeVisible();
  },
};

export const NearLimit: Story = {
  parameters: { usage: { limit: 1000, spent: [870] } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("87% of the limit used.", {}, LOAD)).toBeVisible();
  },
};

export const LimitReached: Story = {
  parameters: { usage: { limit: 500, spent: [500] } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText(/Limit reached/, {}, LOAD)).toBeVisible();
  },
};

export const Unlimited: Story = {
  parameters: { usage: { limit: null, spent: [12_345] } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("12,345 credits, no limit", {}, LOAD)).toBeVisible();
  },
};

export const Loading: Story = {
  parameters: { usage: { delay: Number.POSITIVE_INFINITY } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByRole("status", {}, LOAD)).toBeVisible();
  },
};

/** A token without `usage:read`: the error says why, with a retry. */
export const LoadError: Story = {
  parameters: { usage: { scope: "fields:read" } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByRole("alert", {}, LOAD)).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Try again" })).toBeVisible();
  },
};

export const Dark: Story = {
  args: { theme: "dark" },
  parameters: { usage: { limit: 1000, spent: [870], exports: 12 } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("87% of the limit used.", {}, LOAD)).toBeVisible();
  },
};

export const Swedish: Story = {
  args: { locale: "sv-SE" },
  parameters: { usage: { limit: 1000, spent: [870] } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("AI-krediter", {}, LOAD)).toBeVisible();
    // Swedish writes a (non-breaking) space before the percent sign; English does not.
    await expect(canvas.getByText(/^87\s%\sav gränsen är förbrukat\.$/)).toBeVisible();
  },
};
