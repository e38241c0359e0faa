import { createHarness, type Harness } from "@tenantry/api/testing";
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import axe from "axe-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inProcessLink } from "../testing/in-process-link.js";
import { renderWithTenantry } from "../testing/render.js";
import { createTeam, createWidgetWorld, type WidgetWorld } from "../testing/world.js";
import { MemberTable } from "./MemberTable.js";

let h: Harness;
let world: WidgetWorld;
let link: ReturnType<typeof inProcessLink>;
const calls: string[] = [];

beforeAll(async () => {
  h = await createHarness();
  world = await createWidgetWorld(h.api);
  link = inProcessLink({ db: h.handle.db, keyring: h.keyring, beforeCall: (path) => void calls.push(path) });
});
afterAll(() => h.close());
afterEach(() => {
  cleanup();
  calls.length = 0;
});

let counter = 0;
/** What inviting with the default "member" role takes: members:write, roles:read/write and that role's permissions. */
const INVITER_SCOPE = [
  "members:read",
  "members:write",
  "roles:read",
  "roles:write",
  "tenant:read",
  "fields:read",
  "usage:read",
  "usage:write",
  "connections:read",
  "connections:write",
  "elements:read",
  "elements:write",
].join(" ");
async function team(options: Parameters<typeof createTeam>[2] = {}) {
  const sub = `org-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  return { sub, ...(await createTeam(world, sub, options)) };
}

async function expectNoAxeViolations(container: HTMLElement) {
  // happy-dom lays nothing out, so contrast is checked in Chromium (Storybook); every other rule runs here.
  const results = await axe.run(container, { rules: { "color-contrast": { enabled: false } } });
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`)).toEqual([]);
}

function rowOf(name: string): HTMLElement {
  const row = screen.getByText(name).closest("tr");
  if (!row) throw new Error(`no row for ${name}`);
  return row as HTMLElement;
}

async function openManage(user: ReturnType<typeof userEvent.setup>, name: string) {
  const button = screen.getByRole("button", { name: `Manage ${name}` });
  // While a change to this member is on its way, its actions wait.
  await waitFor(() => expect(button).toHaveProperty("disabled", false));
  await user.click(button);
  return screen.findByRole("dialog", { name: `Manage ${name}` });
}

describe("MemberTable against the real router", () => {
  it("shows a busy loading state, then every member with type, status and roles, labelled", async () => {
    const { ownerToken } = await team();
    const { container } = renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    expect(container.querySelector('[aria-busy="true"]')).not.toBeNull();
    expect(screen.getByRole("status")).toBeTruthy();

    expect(await screen.findByText("Amara Okafor")).toBeTruthy();
    const table = screen.getByRole("table");
    expect(within(table).getAllByRole("row")).toHaveLength(1 + 7);
    expect(within(table).getByRole("columnheader", { name: "Member" })).toBeTruthy();
    expect(within(rowOf("Sofia Moreno")).getByText("Invited")).toBeTruthy();
    // Role names come with the roles list, which may arrive after the members.
    await waitFor(() => expect(rowOf("Björn Lindqvist").textContent).toContain("AdminActiveAdmin"));
    expect(within(rowOf("Lars Nyström")).getByText("Viewer")).toBeTruthy();
    // The actor's own row says "You" and offers no actions: the server refuses changes to oneself.
    expect(within(rowOf("Ellen Ekström")).getByText("You")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Manage Ellen Ekström" })).toBeNull();
    expect(screen.getByRole("button", { name: "Manage Amara Okafor" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Invite member" })).toBeTruthy();
    expect(container.querySelector('section[aria-busy="true"]')).toBeNull();
    await expectNoAxeViolations(container);
  });

  it("searches by name and filters by status and type on the server, with a way back from no matches", async () => {
    const user = userEvent.setup();
    const { ownerToken } = await team();
    renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    await screen.findByText("Amara Okafor");

    await user.type(screen.getByLabelText("Search members"), "okafor");
    await waitFor(() => expect(screen.queryByText("Chen Wei")).toBeNull());
    expect(screen.getByText("Amara Okafor")).toBeTruthy();
    expect(calls.filter((c) => c === "members.list").length).toBeGreaterThan(1);

    await user.clear(screen.getByLabelText("Search members"));
    await user.selectOptions(screen.getByLabelText("Status"), "invited");
    expect(await screen.findByText("Sofia Moreno")).toBeTruthy();
    await waitFor(() => expect(screen.queryByText("Amara Okafor")).toBeNull());

    await user.selectOptions(screen.getByLabelText("Type"), "admin");
    expect(await screen.findByText("No members match these filters.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    expect(await screen.findByText("Amara Okafor")).toBeTruthy();
    expect(screen.getByLabelText("Status")).toHaveProperty("value", "");
  });

  it("pages through many members with keyset cursors", async () => {
    const user = userEvent.setup();
    const { ownerToken } = await team({ extra: 8 });
    renderWithTenantry(<MemberTable pageSize={5} />, { link, token: ownerToken, locale: "en" });
    await screen.findByText("Page 1");
    // Compared by email: the roles column turns keys into names once the roles have loaded.
    const emails = () =>
      [...document.querySelectorAll("tbody tr .tnt-person-email")].map((e) => e.textContent);
    const firstPage = emails();
    expect(firstPage).toHaveLength(5);
    expect(screen.getByRole("button", { name: "Previous page" })).toHaveProperty("disabled", true);

    await user.click(screen.getByRole("button", { name: "Next page" }));
    await screen.findByText("Page 2");
    await waitFor(() => expect(emails()).not.toEqual(firstPage));
    expect(emails().filter((email) => firstPage.includes(email))).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Next page" }));
    await screen.findByText("Page 3");
    // 15 members: 5 + 5 + 5, and the last page has no next one.
    await waitFor(() =>
      expect(screen.getByRole("button", { name: "Next page" })).toHaveProperty("disabled", true),
    );
    await user.click(screen.getByRole("button", { name: "Previous page" }));
    await user.click(screen.getByRole("button", { name: "Previous page" }));
    await screen.findByText("Page 1");
    await waitFor(() => expect(emails()).toEqual(firstPage));
  });

  it("invites by email through a labelled dialog; a bad email is caught before anything is sent", async () => {
    const user = userEvent.setup();
    const { ownerToken, tenantId } = await team();
    const { container } = renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    await user.click(await screen.findByRole("button", { name: "Invite member" }));
    const dialog = await screen.findByRole("dialog", { name: "Invite a member" });
    const email = within(dialog).getByLabelText(/Email/);
    expect(document.activeElement).toBe(email);
    await expectNoAxeViolations(container);

    await user.type(email, "not-an-email");
    calls.length = 0;
    await user.click(within(dialog).getByRole("button", { name: "Send invitation" }));
    expect(within(dialog).getByText("Enter an email address, like name@example.com.")).toBeTruthy();
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(calls).not.toContain("members.create");

    await user.clear(email);
    await user.type(email, "Noor.Haddad@Example.com");
    await user.type(within(dialog).getByLabelText("First name"), "Noor");
    await user.type(within(dialog).getByLabelText("Last name"), "Haddad");
    await user.selectOptions(within(dialog).getByLabelText("Type"), "contractor");
    await user.click(within(dialog).getByRole("button", { name: "Send invitation" }));

    expect(await screen.findByText("Invitation sent to Noor.Haddad@Example.com.")).toBeTruthy();
    await waitFor(() => expect(dialog).toHaveProperty("open", false));
    expect(await screen.findByText("Noor Haddad")).toBeTruthy();
    const stored = await h.api.members.list({ tenantId, q: "noor" });
    expect(stored.items).toHaveLength(1);
    expect(stored.items[0]).toMatchObject({ status: "invited", type: "contractor", roles: ["member"] });
  });

  it("shows the server's refusal in the invite dialog (a member twice) and adds nobody", async () => {
    const user = userEvent.setup();
    const { ownerToken, tenantId } = await team();
    renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    await user.click(await screen.findByRole("button", { name: "Invite member" }));
    const dialog = await screen.findByRole("dialog", { name: "Invite a member" });
    const before = (await h.api.members.list({ tenantId })).items.length;
    const amara = (await h.api.members.list({ tenantId, q: "amara" })).items[0]!;
    await user.type(within(dialog).getByLabelText(/Email/), amara.user.email.toUpperCase());
    await user.click(within(dialog).getByRole("button", { name: "Send invitation" }));
    expect((await within(dialog).findByRole("alert")).textContent).toBe(
      "That person is a member of this tenant already.",
    );
    expect((await h.api.members.list({ tenantId })).items.length).toBe(before);
  });

  it("suspends after a confirmation, updating the row at once, and reactivates", async () => {
    const user = userEvent.setup();
    const { ownerToken, tenantId, userIdsByEmail } = await team();
    renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    await screen.findByText("Amara Okafor");
    const manage = await openManage(user, "Amara Okafor");
    await user.click(within(manage).getByRole("button", { name: "Suspend" }));

    const confirm = await screen.findByRole("dialog", { name: "Suspend Amara Okafor?" });
    expect(confirm.textContent).toContain("loses access at once");
    expect(document.activeElement).toBe(within(confirm).getByRole("button", { name: "Cancel" }));
    calls.length = 0;
    await user.click(within(confirm).getByRole("button", { name: "Suspend" }));
    // Optimistic: the row says Suspended before the server has answered.
    expect(within(rowOf("Amara Okafor")).getByText("Suspended")).toBeTruthy();
    expect(await screen.findByText("Amara Okafor is suspended.")).toBeTruthy();
    const amaraId = [...userIdsByEmail].find(([email]) => email.startsWith("amara"))![1];
    expect((await h.api.members.get({ tenantId, userId: amaraId })).status).toBe("suspended");
    const activity = await h.api.activity.listForTenant({ tenantId });
    expect(activity.items[0]).toMatchObject({ action: expect.stringContaining("membership") });

    const again = await openManage(user, "Amara Okafor");
    expect(within(again).queryByRole("button", { name: "Suspend" })).toBeNull();
    await user.click(within(again).getByRole("button", { name: "Reactivate" }));
    expect(await screen.findByText("Amara Okafor is active again.")).toBeTruthy();
    expect((await h.api.members.get({ tenantId, userId: amaraId })).status).toBe("active");
  });

  it("cancelling a confirmation changes nothing", async () => {
    const user = userEvent.setup();
    const { ownerToken, tenantId } = await team();
    renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    await screen.findByText("Chen Wei");
    const manage = await openManage(user, "Chen Wei");
    await user.click(within(manage).getByRole("button", { name: "Remove from tenant" }));
    calls.length = 0;
    await user.click(
      within(await screen.findByRole("dialog", { name: "Remove Chen Wei?" })).getByRole("button", {
        name: "Cancel",
      }),
    );
    expect(calls).not.toContain("members.delete");
    expect((await h.api.members.list({ tenantId, q: "chen" })).items).toHaveLength(1);
  });

  it("rolls back and explains the last-owner rule in plain words when the server answers last_owner", async () => {
    const user = userEvent.setup();
    const { sub, tenantId, ownerUserId } = await team();
    // Björn is an admin (members:write): he may suspend members, but not the tenant's only owner.
    const adminToken = await world.signToken({ sub, user: { id: `${sub}-björn-lindqvist` } });
    renderWithTenantry(<MemberTable />, { link, token: adminToken, locale: "en" });
    await screen.findByText("Ellen Ekström");
    const manage = await openManage(user, "Ellen Ekström");
    // Only an owner may hand over ownership.
    expect(within(manage).queryByRole("button", { name: "Make owner" })).toBeNull();
    await user.click(within(manage).getByRole("button", { name: "Suspend" }));
    await user.click(
      within(await screen.findByRole("dialog", { name: "Suspend Ellen Ekström?" })).getByRole("button", {
        name: "Suspend",
      }),
    );
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(
      "Ellen Ekström is the only active owner, and every tenant needs at least one. Make another member an owner first",
    );
    await waitFor(() => expect(within(rowOf("Ellen Ekström")).getByText("Active")).toBeTruthy());
    expect((await h.api.members.get({ tenantId, userId: ownerUserId })).status).toBe("active");
    await user.click(within(alert).getByRole("button", { name: "Dismiss" }));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("binds and unbinds roles, and changes the membership type", async () => {
    const user = userEvent.setup();
    const { ownerToken, tenantId, userIdsByEmail } = await team();
    renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    await screen.findByText("Chen Wei");
    const chenId = [...userIdsByEmail].find(([email]) => email.startsWith("chen"))![1];
    let manage = await openManage(user, "Chen Wei");
    const roles = within(manage).getByRole("group", { name: "Roles at this tenant" });
    await user.click(within(roles).getByRole("checkbox", { name: /^Viewer/ }));
    await waitFor(async () =>
      expect((await h.api.members.get({ tenantId, userId: chenId })).roles.sort()).toEqual([
        "member",
        "viewer",
      ]),
    );
    const memberRole = within(roles).getByRole("checkbox", { name: /^Member/ });
    await waitFor(() => expect(memberRole).toHaveProperty("disabled", false));
    await user.click(memberRole);
    await waitFor(async () =>
      expect((await h.api.members.get({ tenantId, userId: chenId })).roles).toEqual(["viewer"]),
    );
    await user.selectOptions(within(manage).getByLabelText("Membership type"), "member");
    await user.click(within(manage).getByRole("button", { name: "Change type" }));
    expect(await screen.findByText("Chen Wei was updated.")).toBeTruthy();
    expect((await h.api.members.get({ tenantId, userId: chenId })).type).toBe("member");
    manage = await openManage(user, "Chen Wei");
    expect(within(manage).getByLabelText("Membership type")).toHaveProperty("value", "member");
  });

  it("transfers ownership after a confirmation; the previous owner becomes an admin", async () => {
    const user = userEvent.setup();
    const { ownerToken, tenantId, ownerUserId, userIdsByEmail } = await team();
    renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    await screen.findByText("Björn Lindqvist");
    const manage = await openManage(user, "Björn Lindqvist");
    await user.click(within(manage).getByRole("button", { name: "Make owner" }));
    const confirm = await screen.findByRole("dialog", { name: "Make Björn Lindqvist the owner?" });
    await user.click(within(confirm).getByRole("button", { name: "Make owner" }));
    expect(await screen.findByText("Björn Lindqvist is now the owner.")).toBeTruthy();
    const bjornId = [...userIdsByEmail].find(([email]) => email.startsWith("bj"))![1];
    expect((await h.api.members.get({ tenantId, userId: bjornId })).type).toBe("owner");
    expect((await h.api.members.get({ tenantId, userId: ownerUserId })).type).toBe("admin");
  });

  it("resends and revokes an invitation", async () => {
    const user = userEvent.setup();
    const { ownerToken, tenantId } = await team();
    renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    await screen.findByText("Sofia Moreno");
    let manage = await openManage(user, "Sofia Moreno");
    expect(within(manage).queryByRole("button", { name: "Suspend" })).toBeNull();
    await user.click(within(manage).getByRole("button", { name: "Resend invitation" }));
    expect(await screen.findByText("A new invitation was sent to Sofia Moreno.")).toBeTruthy();
    manage = await openManage(user, "Sofia Moreno");
    await user.click(within(manage).getByRole("button", { name: "Revoke invitation" }));
    await user.click(
      within(await screen.findByRole("dialog", { name: "Revoke the invitation to Sofia Moreno?" })).getByRole(
        "button",
        {
          name: "Revoke invitation",
        },
      ),
    );
    expect(await screen.findByText("The invitation to Sofia Moreno was revoked.")).toBeTruthy();
    const sofia = (await h.api.members.list({ tenantId, q: "sofia" })).items;
    expect(sofia.every((m) => m.status !== "invited")).toBe(true);
  });

  it("is read-only for a member without members:write: no invite, no actions", async () => {
    const { sub } = await team();
    const memberToken = await world.signToken({ sub, user: { id: `${sub}-amara-okafor` } });
    const { container } = renderWithTenantry(<MemberTable />, { link, token: memberToken, locale: "en" });
    expect(await screen.findByText("You can see the members but not change them.")).toBeTruthy();
    expect(screen.getByText("Chen Wei")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Invite member" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Manage / })).toBeNull();
    await expectNoAxeViolations(container);
  });

  it("shows an empty state to a fresh tenant's owner", async () => {
    const { ownerToken } = await team({ people: [] });
    renderWithTenantry(<MemberTable />, { link, token: ownerToken, locale: "en" });
    await screen.findByText("Ellen Ekström");
    const { sub } = await team({ people: [] });
    // A token without a user (scope only) sees the same list; with no one in it, the empty text shows.
    // members:write alone cannot invite: an invitation binds a role (roles:write and its permissions).
    const membersOnly = await world.signToken({ sub: `${sub}-new`, scope: "members:read members:write" });
    cleanup();
    renderWithTenantry(<MemberTable />, { link, token: membersOnly, locale: "en" });
    expect(await screen.findByText("There are no members yet.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Invite member" })).toBeNull();
    const inviter = await world.signToken({ sub: `${sub}-new`, scope: INVITER_SCOPE });
    cleanup();
    renderWithTenantry(<MemberTable />, { link, token: inviter, locale: "en" });
    expect(await screen.findByText("No members yet. Invite the first one.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Invite member" })).toBeTruthy();
  });

  it("shows an error with a retry that works once the token does", async () => {
    const user = userEvent.setup();
    const { ownerToken } = await team();
    let attempts = 0;
    const getToken = async () => {
      attempts++;
      if (attempts === 1) throw new Error("host session expired");
      return ownerToken;
    };
    const { container } = renderWithTenantry(<MemberTable />, { link, getToken, locale: "en" });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("host session expired");
    await expectNoAxeViolations(container);
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Amara Okafor")).toBeTruthy();
  });

  it("speaks Swedish when the tenant does", async () => {
    const { ownerToken } = await team({ locale: "sv-SE" });
    const { container } = renderWithTenantry(<MemberTable />, { link, token: ownerToken });
    expect(await screen.findByRole("heading", { name: "Medlemmar" })).toBeTruthy();
    expect(await screen.findByText("Amara Okafor")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Bjud in medlem" })).toBeTruthy();
    expect(within(rowOf("Sofia Moreno")).getByText("Inbjuden")).toBeTruthy();
    expect(container.querySelector(".tnt-root")?.getAttribute("lang")).toBe("sv-SE");
  });
  it("offers only what the token can complete: roles it cannot grant stay off, invite needs roles:write", async () => {
    const user = userEvent.setup();
    const { sub } = await team();
    // Can manage members and see roles, but not bind them.
    const noRoleWrites = await world.signToken({ sub, scope: "members:read members:write roles:read" });
    renderWithTenantry(<MemberTable />, { link, token: noRoleWrites, locale: "en" });
    await screen.findByText("Amara Okafor");
    await waitFor(() => expect(within(rowOf("Lars Nyström")).getByText("Viewer")).toBeTruthy());
    expect(screen.queryByRole("button", { name: "Invite member" })).toBeNull();
    const dialog = await openManage(user, "Amara Okafor");
    expect(within(dialog).getByRole("button", { name: "Suspend" })).toBeTruthy();
    expect(within(dialog).queryByRole("group", { name: "Roles at this tenant" })).toBeNull();
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    cleanup();

    // roles:write, but without the admin role's permissions: that role cannot be given or taken.
    const grantsSome = await world.signToken({ sub, scope: `${INVITER_SCOPE} roles:read` });
    renderWithTenantry(<MemberTable />, { link, token: grantsSome, locale: "en" });
    await screen.findByText("Amara Okafor");
    expect(await screen.findByRole("button", { name: "Invite member" })).toBeTruthy();
    const manage = await openManage(user, "Amara Okafor");
    expect(within(manage).getByRole("checkbox", { name: /^Member/ })).toHaveProperty("disabled", false);
    expect(within(manage).getByRole("checkbox", { name: /^Admin/ })).toHaveProperty("disabled", true);
    expect(within(manage).getByRole("checkbox", { name: /^Owner/ })).toHaveProperty("disabled", true);
    await user.click(within(manage).getByRole("button", { name: "Close" }));
    await user.click(screen.getByRole("button", { name: "Invite member" }));
    const invite = await screen.findByRole("dialog", { name: "Invite a member" });
    const options = within(within(invite).getByLabelText("Role"))
      .getAllByRole("option")
      .map((option) => option.textContent);
    expect(options).toContain("Member");
    expect(options).not.toContain("Admin");
  });

  it("explains a refusal by its reason in plain words, not 'not allowed'", async () => {
    const user = userEvent.setup();
    const { sub, tenantId, userIdsByEmail } = await team();
    const bjorn = [...userIdsByEmail].find(([email]) => email.startsWith("bjorn."))![1];
    const adminToken = await world.signToken({ sub, user: { id: `${sub}-björn-lindqvist` } });
    renderWithTenantry(<MemberTable />, { link, token: adminToken, locale: "en" });
    await screen.findByText("Amara Okafor");
    // The host takes Björn's admin role away while his page is open: /me is now out of date.
    const bindings = await world.api.roles.listBindings({ tenantId, subjectType: "user", subjectId: bjorn });
    for (const binding of bindings.items) await world.api.roles.unbind({ tenantId, id: binding.id });
    const dialog = await openManage(user, "Amara Okafor");
    await user.click(within(dialog).getByRole("button", { name: "Suspend" }));
    const confirm = await screen.findByRole("dialog", { name: "Suspend Amara Okafor?" });
    await user.click(within(confirm).getByRole("button", { name: "Suspend" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(
      "Your access does not include the permission members:write. Ask an admin of this tenant for it.",
    );
    expect(alert.textContent).not.toMatch(/not allowed/);
    // Rolled back: the optimistic "Suspended" is undone.
    await waitFor(() => expect(within(rowOf("Amara Okafor")).getByText("Active")).toBeTruthy());
  });

  it("names roles and counts members in the tenant's language, built-in roles translated", async () => {
    const { ownerToken } = await team({ locale: "sv-SE" });
    renderWithTenantry(<MemberTable />, { link, token: ownerToken });
    await screen.findByText("Amara Okafor");
    await waitFor(() => expect(within(rowOf("Lars Nyström")).getByText("Läsare")).toBeTruthy());
    expect(rowOf("Björn Lindqvist").querySelector(".tnt-col-roles")?.textContent).toBe("Administratör");
    expect(rowOf("Ellen Ekström").querySelector(".tnt-col-roles")?.textContent).toBe("Ägare");
    expect(document.querySelector("caption")?.textContent).toBe("Medlemmar · 7 medlemmar på den här sidan.");
    cleanup();

    const alone = await team({ people: [] });
    renderWithTenantry(<MemberTable />, { link, token: alone.ownerToken, locale: "en" });
    await screen.findByText("Ellen Ekström");
    expect(document.querySelector("caption")?.textContent).toBe("Members · 1 member on this page.");
    await waitFor(() =>
      expect(rowOf("Ellen Ekström").querySelector(".tnt-col-roles")?.textContent).toBe("Owner"),
    );
    cleanup();
    renderWithTenantry(<MemberTable />, { link, token: alone.ownerToken, locale: "sv" });
    await screen.findByText("Ellen Ekström");
    await waitFor(() =>
      expect(document.querySelector("caption")?.textContent).toBe("Medlemmar · 1 medlem på den här sidan."),
    );
  });
});
