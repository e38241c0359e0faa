import type { Meta, StoryObj } from "@storybook/react-vite";
import { expect, userEvent, waitFor, within } from "storybook/test";
import { createStoryTeam } from "../testing/browser-backend.js";
import { type StoryLoaded, StoryProvider, storyLoaded } from "../testing/story-kit.js";
import { MemberTable } from "./MemberTable.js";

/** What a story's loader sets up: its own workspace and team in the in-browser DB, seeded through the router. */
interface TeamParameters {
  /** Generated members on top of the six sample people. */
  extra?: number;
  /** No sample people: the owner alone. */
  alone?: boolean;
  locale?: string;
  /** Act as one of the sample people (first name, lower case) instead of the owner. */
  as?: string;
  invalidToken?: boolean;
  /** Holds every call this long (ms); Infinity keeps it loading. */
  delay?: number;
}

type Loaded = StoryLoaded;

type Args = { theme: "light" | "dark" | "system"; locale: string | undefined; pageSize: number };

const LOAD = { timeout: 15_000 };

const meta = {
  title: "Widgets/MemberTable",
  component: MemberTable,
  args: { theme: "light", locale: undefined, pageSize: 10 },
  argTypes: {
    theme: { control: "inline-radio", options: ["light", "dark", "system"] },
    locale: { control: "select", options: [undefined, "en", "sv-SE"] },
    pageSize: { control: { type: "number", min: 1, max: 100 } },
  },
  loaders: [
    async ({ parameters }): Promise<Loaded> => {
      const options: TeamParameters = (parameters.team as TeamParameters | undefined) ?? {};
      const world = await createStoryTeam({
        ...(options.extra ? { extra: options.extra } : {}),
        ...(options.alone ? { people: [] } : {}),
        ...(options.locale ? { locale: options.locale } : {}),
        ...(options.as ? { as: options.as } : {}),
        ...(options.invalidToken ? { invalidToken: true } : {}),
      });
      return storyLoaded(world, options.delay);
    },
  ],
  render: (args, { loaded }) => {
    return (
      <StoryProvider loaded={loaded} theme={args.theme} locale={args.locale}>
        <MemberTable pageSize={args.pageSize} />
      </StoryProvider>
    );
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The owner's view of a small team: every type and status, roles, and the actions they may take. */
export const Team: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByText("Amara Okafor", {}, LOAD);
    await expect(canvas.getByRole("button", { name: "Invite member" })).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Manage Amara Okafor" })).toBeVisible();
  },
};

/** Many members: keyset pages of ten, Next and Previous. */
export const ManyRows: Story = {
  parameters: { team: { extra: 30 } satisfies TeamParameters },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByText("Page 1", {}, LOAD);
    await expect(canvas.getAllByRole("row")).toHaveLength(11);
    await userEvent.click(canvas.getByRole("button", { name: "Next page" }));
    await canvas.findByText("Page 2");
  },
};

/** The first render, while the token and the members load: a skeleton marked busy. */
export const Loading: Story = {
  parameters: { team: { delay: Number.POSITIVE_INFINITY } satisfies TeamParameters },
  play: async ({ canvasElement }) => {
    await expect(canvasElement.querySelector('[aria-busy="true"]')).not.toBeNull();
  },
};

/** A new tenant whose owner is alone, searching for someone who is not there. */
export const Empty: Story = {
  parameters: { team: { alone: true } satisfies TeamParameters },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByText("Ellen Ekström", {}, LOAD);
    await userEvent.type(canvas.getByLabelText("Search members"), "nobody");
    await canvas.findByText("No members match these filters.", {}, LOAD);
  },
};

/** The server refuses: an admin tries to suspend the only owner, the row rolls back and the rule is explained. */
export const LastOwnerError: Story = {
  parameters: { team: { as: "björn" } satisfies TeamParameters },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole("button", { name: "Manage Ellen Ekström" }, LOAD));
    const manage = await canvas.findByRole("dialog", { name: "Manage Ellen Ekström" });
    await userEvent.click(within(manage).getByRole("button", { name: "Suspend" }));
    const confirm = await canvas.findByRole("dialog", { name: "Suspend Ellen Ekström?" });
    await userEvent.click(within(confirm).getByRole("button", { name: "Suspend" }));
    const alert = await canvas.findByRole("alert", {}, LOAD);
    await expect(alert).toHaveTextContent(/only active owner/);
  },
};

/** Loading fails (the token is signed with a key the workspace does not know): an error with a retry. */
export const LoadError: Story = {
  parameters: { team: { invalidToken: true } satisfies TeamParameters },
  play: async ({ canvasElement }) => {
    const alert = await within(canvasElement).findByRole("alert", {}, LOAD);
    await expect(within(alert).getByRole("button", { name: "Try again" })).toBeVisible();
  },
};

/** The invite dialog, with the email checked before anything is sent. */
export const InviteDialog: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole("button", { name: "Invite member" }, LOAD));
    const dialog = await canvas.findByRole("dialog", { name: "Invite a member" });
    await userEvent.type(within(dialog).getByLabelText(/Email/), "noor@");
    await userEvent.click(within(dialog).getByRole("button", { name: "Send invitation" }));
    await waitFor(() => expect(within(dialog).getByText(/Enter an email address/)).toBeVisible());
  },
};

/** A member without members:write sees the team but no invite button and no actions. */
export const ReadOnly: Story = {
  parameters: { team: { as: "amara" } satisfies TeamParameters },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByText("You can see the members but not change them.", {}, LOAD);
    await expect(canvas.queryByRole("button", { name: "Invite member" })).toBeNull();
  },
};

/** The built-in dark theme. */
export const DarkTheme: Story = {
  args: { theme: "dark" },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByText("Amara Okafor", {}, LOAD);
  },
};

/** A Swedish tenant: the widget follows the tenant's locale. */
export const Swedish: Story = {
  parameters: { team: { locale: "sv-SE" } satisfies TeamParameters },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await canvas.findByRole("heading", { name: "Medlemmar" }, LOAD);
    await canvas.findByText("Inbjuden", { selector: ".tnt-badge" }, LOAD);
  },
};
