import { TENANT_ACTIVITY_ACTIONS, WORKSPACE_ACTIVITY_ACTIONS } from "@tenantry/contracts/activity-actions";
import { activityLog } from "@tenantry/db/schema/activity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../testing/expect-error";
import { createHarness, type Harness } from "../testing/harness";
import { recordActivity } from "./service";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

/**
 * Compile-time half of "the lists are every action the server records": `recordActivity` takes only
 * listed actions, and a tenant's entry only a tenant action. tsc fails this file if any of these
 * lines stops being an error. Never called: the lines exist for the type checker.
 */
export function recordActivityRefusesUnlistedActions(tx: Parameters<typeof recordActivity>[0]) {
  const context = {
    actor: { type: "api_key" as const, workspaceId: "ws", apiKeyId: "key" },
    requestId: "req",
  };
  const target = { targetType: "tenant", targetId: "tenant_x" };
  // @ts-expect-error an action nobody records
  void recordActivity(tx, context, { tenantId: "tenant_x", action: "tenant.credentials_updated", ...target });
  // @ts-expect-error a workspace action cannot land in a tenant's log
  void recordActivity(tx, context, { tenantId: "tenant_x", action: "role.created", ...target });
  // @ts-expect-error a tenant action needs its tenant
  void recordActivity(tx, context, { tenantId: null, action: "tenant.updated", ...target });
}

describe("the activity actions", () => {
  it("are unique, `domain.past_tense`, and a tenant's and the workspace's never overlap", () => {
    const all = [...TENANT_ACTIVITY_ACTIONS, ...WORKSPACE_ACTIVITY_ACTIONS];
    expect(new Set(all).size).toBe(all.length);
    for (const action of all) expect(action).toMatch(/^[a-z_]+\.[a-z_]+$/);
    for (const gone of ["tenant.credentials_updated", "membership.removed", "connection.deleted"]) {
      expect(all).not.toContain(gone);
    }
  });

  it("name every action a run of real changes writes to the log", async () => {
    const tenant = await h.api.tenants.create({ name: `Log Co ${unique()}` });
    await h.api.tenants.patch({ id: tenant.id, planKey: "pro" });
    await h.api.tenants.patch({ id: tenant.id, credentials: { apiToken: "secret-value" } });
    await h.api.fields.patchForTenant({ tenantId: tenant.id, fields: { region: "eu" } });
    const invited = await h.api.members.create({ tenantId: tenant.id, email: `ada-${unique()}@x.example` });
    await h.api.members.patch({ tenantId: tenant.id, userId: invited.userId, status: "suspended" });
    const role = await h.api.roles.create({
      key: `r-${unique()}`,
      name: "Reader",
      permissions: ["tenant:read"],
    });
    await h.api.roles.bind({
      tenantId: tenant.id,
      roleId: role.id,
      subject: { type: "user", id: invited.userId },
    });
    await h.api.members.delete({ tenantId: tenant.id, userId: invited.userId });
    await h.api.tenants.suspend({ id: tenant.id });

    const rows = await h.handle.db.selectDistinct({ action: activityLog.action }).from(activityLog);
    const listed: readonly string[] = [...TENANT_ACTIVITY_ACTIONS, ...WORKSPACE_ACTIVITY_ACTIONS];
    expect(rows.map((row) => row.action).filter((action) => !listed.includes(action))).toEqual([]);
    // Credentials changes are a tenant update (the log shows `[redacted]`), not an action of their own.
    const log = await h.api.activity.listForTenant({ tenantId: tenant.id, limit: 50 });
    expect(log.items.map((entry) => entry.action).sort()).toEqual(
      [
        "membership.deleted",
        "membership.invited",
        "membership.suspended",
        "role_binding.created", // the invitation's default role
        "role_binding.created",
        "tenant.created",
        "tenant.fields_updated",
        "tenant.suspended",
        "tenant.updated",
        "tenant.updated",
      ].sort(),
    );
  });

  it("filter a tenant's log by a listed action, and refuse any other with 400", async () => {
    const tenant = await h.api.tenants.create({ name: `Filter Co ${unique()}` });
    await h.api.members.create({ tenantId: tenant.id, email: `grace-${unique()}@x.example` });
    const invitedOnly = await h.api.activity.listForTenant({
      tenantId: tenant.id,
      action: "membership.invited",
    });
    expect(invitedOnly.items.map((entry) => entry.action)).toEqual(["membership.invited"]);

    for (const action of ["connection.deleted", "role.created", "tenant.created; drop table"]) {
      const refused = await failure(
        h.api.activity.listForTenant({ tenantId: tenant.id, action: action as "tenant.created" }),
      );
      expect(refused.status, action).toBe(400);
      expect(refused.code).toBe("invalid_input");
    }
  });
});
