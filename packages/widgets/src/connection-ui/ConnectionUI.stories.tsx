import type { Meta, StoryObj } from "@storybook/react-vite";
import { newId } from "@tenantry/db/ids";
import { connections } from "@tenantry/db/schema/connections";
import { expect, userEvent, waitFor, within } from "storybook/test";
import { createStoryWorld, type StoryWorld } from "../testing/browser-backend.js";
import { type StoryLoaded, StoryProvider, storyLoaded } from "../testing/story-kit.js";
import { ConnectionUI } from "./ConnectionUI.js";

/** What a story's loader sets up: its own workspace, app catalog and connections in the in-browser DB. */
interface ConnectionParameters {
  /** No apps in the catalog. */
  empty?: boolean;
  /** The tenant's connections: one per status (the OAuth ones written as the callback leaves them). */
  connected?: boolean;
  scope?: string;
  locale?: string;
  /** Infinity keeps every call waiting (the loading state). */
  delay?: number;
}

type Loaded = StoryLoaded;

type Args = { theme: "light" | "dark" | "system"; locale: string | undefined; title: string | undefined };

const LOAD = { timeout: 15_000 };

const oauth2 = (host: string) => ({
  authorizeUrl: `https://${host}/oauth/authorize`,
  tokenUrl: `https://${host}/oauth/token`,
  clientId: "storybook",
  clientSecret: "storybook-secret",
  scopes: ["read"],
});

async function seedCatalog(world: StoryWorld, withConnections: boolean) {
  const { api, db, tenantId, workspaceId } = world;
  const crm = await api.apps.create({
    key: "acme-crm",
    name: "Acme CRM",
    authType: "api_key",
    parametersSchema: {
      type: "object",
      properties: {
        apiKey: {
          type: "string",
          title: "API key",
          description: "Settings → Developers → API keys in Acme CRM.",
          minLength: 10,
          writeOnly: true,
          "x-order": 1,
        },
        region: { type: "string", title: "Region", enum: ["eu", "us"], "x-order": 2 },
      },
      required: ["apiKey"],
    },
  });
  // Its test request reaches nothing, so the server answers connection_test_failed.
  await api.apps.create({
    key: "ledgerly",
    name: "Ledgerly",
    authType: "api_key",
    testRequest: { url: "http://127.0.0.1:9/me", method: "GET", headers: { "X-Api-Key": "{{apiKey}}" } },
  });
  const drive = await api.apps.create({
    key: "demo-drive",
    name: "Demo Drive",
    logoUrl: new URL("favicon.svg", document.baseURI).href,
    authType: "oauth2",
    oauth2: oauth2("drive.example"),
  });
  const mail = await api.apps.create({
    key: "mailbird",
    name: "Mailbird",
    authType: "oauth2",
    oauth2: oauth2("mailbird.example"),
  });
  const planner = await api.apps.create({
    key: "planly",
    name: "Planly",
    authType: "oauth2",
    oauth2: oauth2("planly.example"),
  });
  await api.apps.create({ key: "tracker", name: "Tracker", authType: "basic" });
  if (!withConnections) return;

  await api.connections.create({ tenantId, appId: crm.id, parameters: { apiKey: "acme-live-0123456789" } });
  const longAgo = new Date(Date.now() - 60 * 60_000);
  const row = (appId: string, name: string, status: "needs_reauth" | "error" | "pending") => ({
    workspaceId,
    id: newId("conn"),
    tenantId,
    appId,
    name,
    status,
    lastError: status === "error" ? "provider_unavailable" : null,
    connectedAt: status === "pending" ? null : longAgo,
    createdAt: longAgo,
    updatedAt: longAgo,
  });
  await db
    .insert(connections)
    .values([
      row(drive.id, "Demo Drive", "needs_reauth"),
      row(mail.id, "Mailbird", "error"),
      row(planner.id, "Planly", "pending"),
    ]);
}

const meta = {
  title: "Widgets/ConnectionUI",
  component: ConnectionUI,
  args: { theme: "light", locale: undefined, title: undefined },
  argTypes: {
    theme: { control: "inline-radio", options: ["light", "dark", "system"] },
    locale: { control: "select", options: [undefined, "en", "sv-SE"] },
  },
  loaders: [
    async ({ parameters }): Promise<Loaded> => {
      const options: ConnectionParameters =
        (parameters.connections as ConnectionParameters | undefined) ?? {};
      const world = await createStoryWorld({
        scope: options.scope ?? "connections:read connections:write",
        ...(options.locale ? { locale: options.locale } : {}),
      });
      if (!options.empty) await seedCatalog(world, options.connected ?? true);
      return storyLoaded(world, options.delay);
    },
  ],
  render: (args, { loaded }) => {
    return (
      <StoryProvider loaded={loaded} theme={args.theme} locale={args.locale}>
        <ConnectionUI {...(args.title ? { title: args.title } : {})} />
      </StoryProvider>
    );
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Every status: connected (API key), needs reconnecting, error, an unfinished sign-in, and apps not yet connected. */
export const EveryStatus: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("Connected", {}, LOAD)).toBeVisible();
    await expect(canvas.getByText("Needs reconnecting")).toBeVisible();
    await expect(canvas.getByText("Error")).toBeVisible();
    await expect(canvas.getByText("Not finished")).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Disconnect Acme CRM" })).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Reconnect Demo Drive" })).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Reconnect Mailbird" })).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Try again to connect Planly" })).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Connect Ledgerly" })).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Connect Tracker" })).toBeVisible();
  },
};

/** A workspace that has not added any apps yet. */
export const EmptyCatalog: Story = {
  parameters: { connections: { empty: true } satisfies ConnectionParameters },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("There are no apps to connect yet.", {}, LOAD)).toBeVisible();
  },
};

/** The API-key form: a key too short is caught on the spot; the app then refuses the key, in plain words. */
export const ApiKeyError: Story = {
  parameters: { connections: { connected: false } satisfies ConnectionParameters },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole("button", { name: "Connect Acme CRM" }, LOAD));
    const dialog = within(await canvas.findByRole("dialog", { name: "Connect Acme CRM" }));
    const apiKey = dialog.getByLabelText(/API key/);
    await userEvent.type(apiKey, "short");
    await userEvent.click(dialog.getByRole("button", { name: "Connect" }));
    await expect(dialog.getByText("Must be at least 10 characters.")).toBeVisible();
    await waitFor(() => expect(apiKey).toHaveFocus());
    await userEvent.click(dialog.getByRole("button", { name: "Cancel" }));

    await userEvent.click(canvas.getByRole("button", { name: "Connect Ledgerly" }));
    const ledgerly = within(await canvas.findByRole("dialog", { name: "Connect Ledgerly" }));
    await userEvent.type(ledgerly.getByLabelText(/API key/), "not-the-right-key");
    await userEvent.click(ledgerly.getByRole("button", { name: "Connect" }));
    await expect(
      await ledgerly.findByText("Ledgerly did not accept these details. Check them and try again.", {}, LOAD),
    ).toBeVisible();
  },
};

/** Disconnecting asks first, with Cancel focused. */
export const ConfirmDisconnect: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole("button", { name: "Disconnect Acme CRM" }, LOAD));
    const dialog = within(await canvas.findByRole("dialog", { name: "Disconnect Acme CRM?" }));
    await expect(dialog.getByRole("button", { name: "Cancel" })).toHaveFocus();
  },
};

/** A token without `connections:write`: statuses only, no buttons. */
export const ReadOnly: Story = {
  parameters: { connections: { scope: "connections:read" } satisfies ConnectionParameters },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(
      await canvas.findByText("You can see the connections but not change them.", {}, LOAD),
    ).toBeVisible();
    await expect(canvas.queryAllByRole("button")).toHaveLength(0);
  },
};

export const Loading: Story = {
  parameters: { connections: { delay: Number.POSITIVE_INFINITY } satisfies ConnectionParameters },
  play: async ({ canvasElement }) => {
    await expect(canvasElement.querySelector('[aria-busy="true"]')).not.toBeNull();
  },
};

export const Dark: Story = {
  args: { theme: "dark" },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("Needs reconnecting", {}, LOAD)).toBeVisible();
  },
};

export const Swedish: Story = {
  args: { locale: "sv-SE" },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await expect(await canvas.findByText("Behöver återanslutas", {}, LOAD)).toBeVisible();
    await expect(canvas.getByRole("button", { name: "Anslut Ledgerly" })).toBeVisible();
  },
};
