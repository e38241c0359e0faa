import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { appRouter } from "@tenantry/api";
import { proceduresOf } from "@tenantry/api/testing";
import { describe, expect, it } from "vitest";
import { may, mayGrant, WIDGET_ACTIONS, type WidgetAction } from "./access.js";

/** The procedures each widget action calls (kept here: the bundle needs only the permissions). */
const PROCEDURES: Record<WidgetAction, readonly string[]> = {
  "members.view": ["members.list"],
  "members.viewRoles": ["roles.list"],
  "members.invite": ["members.create", "roles.list"],
  "members.changeType": ["members.patch"],
  "members.suspend": ["members.patch"],
  "members.reactivate": ["members.patch"],
  "members.remove": ["members.delete"],
  "members.resendInvitation": ["members.resendInvitation"],
  "members.revokeInvitation": ["members.revokeInvitation"],
  "members.transferOwnership": ["members.transferOwnership"],
  "members.editRoles": ["roles.list", "roles.listBindings", "roles.bind", "roles.unbind"],
  "connections.view": ["apps.catalog", "connections.listForTenant"],
  "connections.connect": ["connections.create", "connections.reauthorize"],
  "connections.disconnect": ["connections.delete"],
  "usage.view": ["usage.list"],
  "elements.view": ["elements.resolve", "elements.externalFields"],
  "elements.change": ["elements.resolve", "elements.patch", "elements.reset"],
  "fields.view": ["fields.getForTenant"],
  "fields.change": ["fields.getForTenant", "fields.patchForTenant"],
};

type Access = { workspace: true } | { tenant: unknown; permission: string | null };
const procedures = proceduresOf(appRouter);

function accessOf(path: string): Access {
  const access: Access | undefined = procedures.get(path)?.access;
  if (!access) throw new Error(`no procedure ${path}`);
  return access;
}

/** Every `trpc.<namespace>.<procedure>.use…` and `utils.<namespace>.<procedure>.fetch` in the widgets' code. */
function proceduresCalledByWidgets(): Set<string> {
  const src = fileURLToPath(new URL("..", import.meta.url));
  const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter(
    (name) => /\.tsx?$/.test(name) && !/\.(test|stories)\.tsx?$|^testing\//.test(name),
  );
  const called = new Set<string>();
  for (const file of files) {
    const code = readFileSync(join(src, file), "utf8");
    for (const match of code.matchAll(/\b(?:trpc|utils)\.(\w+)\.(\w+)\.(?:use\w+|fetch|ensureData)\(/g)) {
      called.add(`${match[1]}.${match[2]}`);
    }
  }
  return called;
}

describe("the widgets' permission map follows the server's access declarations", () => {
  it("names only procedures a widget token may call, with every permission they declare", () => {
    for (const [action, permissions] of Object.entries(WIDGET_ACTIONS)) {
      for (const path of PROCEDURES[action as WidgetAction]) {
        const access = accessOf(path);
        expect("workspace" in access, `${action}: ${path} is for API keys only`).toBe(false);
        if ("permission" in access && access.permission !== null) {
          expect(permissions, `${action}: ${path} needs ${access.permission}`).toContain(access.permission);
        }
      }
    }
  });

  it("covers every procedure the widgets call", () => {
    const mapped = new Set<string>(Object.values(PROCEDURES).flat());
    const called = proceduresCalledByWidgets();
    // The identity query every widget makes; it needs no permission.
    called.delete("accessTokens.me");
    expect(called.size).toBeGreaterThan(10);
    for (const path of called) expect(mapped, `${path} is called but not in WIDGET_ACTIONS`).toContain(path);
  });

  it("asks for what the server's grant rule asks: roles:write and the role's own permissions", () => {
    const inviter = ["members:read", "members:write", "roles:read"];
    expect(may(inviter, "members.invite")).toBe(false);
    expect(may([...inviter, "roles:write"], "members.invite")).toBe(true);
    const member = { permissions: ["tenant:read", "members:read"] };
    expect(mayGrant(["roles:read", "roles:write", "members:read"], member)).toBe(false);
    expect(mayGrant(["roles:read", "roles:write", "members:read", "tenant:read"], member)).toBe(true);
  });
});
