import { CSRF_HEADER, createOperator } from "@tenantry/api/operators";
import { activityLog } from "@tenantry/db/schema/activity";
import { operators } from "@tenantry/db/schema/operators";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashOperatorPassword } from "./operator-passwords";
import { startTestServer, type TestServer } from "./testing/test-server";

/**
 * Operators' lifecycle over real HTTP, as the console and an API key call it: disable and enable,
 * remove, password reset, sessions ended everywhere; the last active operator kept under races.
 */
let server: TestServer;
const PASSWORD = "correct horse battery staple";

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

interface Session {
  cookie: string;
  csrf: string;
  operatorId: string;
}

let counter = 0;
async function newOperator(name: string) {
  return createOperator(server.handle.db, {
    workspaceId: server.workspaceId,
    email: `${name.toLowerCase()}-${++counter}@host.example`,
    name,
    passwordHash: await hashOperatorPassword(PASSWORD),
  });
}

function signIn(email: string, password: string, extra: Record<string, string> = {}) {
  return fetch(`${server.url}/console/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, ...extra }),
  });
}

async function sessionOf(response: Response): Promise<Session> {
  expect(response.status).toBe(200);
  const body = (await response.json()) as { csrfToken: string; operator: { id: string } };
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0]!;
  return { cookie, csrf: body.csrfToken, operatorId: body.operator.id };
}

const signedIn = async (email: string, password = PASSWORD) => sessionOf(await signIn(email, password));

/** A tRPC mutation as the console sends it: the session cookie and its CSRF header. */
async function consoleCall(session: Session, path: string, input: unknown) {
  const response = await fetch(`${server.url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: session.cookie, [CSRF_HEADER]: session.csrf },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as {
    result?: { data: Record<string, unknown> };
    error?: { message: string; data: { appCode: string; details?: Record<string, unknown> } };
  };
  return { status: response.status, data: body.result?.data, error: body.error };
}

const whoAmI = (session: Session) =>
  fetch(`${server.url}/console/session`, { headers: { cookie: session.cookie } }).then((r) => r.status);

async function activeCount(): Promise<number> {
  const rows = await server.handle.db
    .select({ id: operators.id })
    .from(operators)
    .where(and(eq(operators.workspaceId, server.workspaceId), isNull(operators.disabledAt)));
  return rows.length;
}

async function activityFor(targetId: string) {
  return server.handle.db
    .select()
    .from(activityLog)
    .where(and(eq(activityLog.workspaceId, server.workspaceId), eq(activityLog.targetId, targetId)));
}

describe("disable and enable", () => {
  it("ends the operator's sessions at once, refuses their sign-in plainly, and lets them back in when enabled", async () => {
    const ada = await newOperator("Ada");
    const bob = await newOperator("Bob");
    const adaSession = await signedIn(ada.email);
    const bobSession = await signedIn(bob.email);
    const bobElsewhere = await signedIn(bob.email);

    const disabled = await consoleCall(adaSession, "operators.disable", { id: bob.id });
    expect(disabled.status).toBe(200);
    expect(disabled.data).toMatchObject({ id: bob.id, status: "disabled" });
    expect(await whoAmI(bobSession)).toBe(401);
    expect(await whoAmI(bobElsewhere)).toBe(401);
    // Nor can a session that was open act: Bob cannot enable himself.
    expect((await consoleCall(bobSession, "operators.enable", { id: bob.id })).status).toBe(401);

    const refused = await signIn(bob.email, PASSWORD);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "operator_disabled" });
    expect(refused.headers.get("set-cookie")).toBeNull();
    // A wrong password says nothing about the account.
    expect((await signIn(bob.email, "not the password at all")).status).toBe(401);

    const list = (await (await server.call("GET", "/api/v1/operators")).json()) as {
      items: { id: string; status: string; disabledAt: string | null }[];
    };
    expect(list.items.find((item) => item.id === bob.id)).toMatchObject({ status: "disabled" });

    const enabled = await consoleCall(adaSession, "operators.enable", { id: bob.id });
    expect(enabled.data).toMatchObject({ status: "active", disabledAt: null });
    expect(await whoAmI(await signedIn(bob.email))).toBe(200);

    const log = await activityFor(bob.id);
    expect(log).toContainEqual(
      expect.objectContaining({ action: "operator.disabled", actorType: "operator", actorId: ada.id }),
    );
    expect(log).toContainEqual(expect.objectContaining({ action: "operator.enabled", actorId: ada.id }));
  });

  it("answers 404 for an operator of no one, and changes nothing twice", async () => {
    const ada = await newOperator("Ada");
    const session = await signedIn(ada.email);
    const missing = await consoleCall(session, "operators.disable", { id: "op_nobody" });
    expect(missing.status).toBe(404);
    const bob = await newOperator("Bob");
    await consoleCall(session, "operators.disable", { id: bob.id });
    await consoleCall(session, "operators.disable", { id: bob.id });
    expect((await activityFor(bob.id)).filter((entry) => entry.action === "operator.disabled")).toHaveLength(
      1,
    );
  });
});

describe("the last active operator", () => {
  /** Leaves exactly the given operators active in the workspace. */
  async function onlyActive(ids: string[]) {
    await server.handle.db
      .update(operators)
      .set({ disabledAt: new Date() })
      .where(eq(operators.workspaceId, server.workspaceId));
    for (const id of ids) {
      await server.handle.db
        .update(operators)
        .set({ disabledAt: null })
        .where(and(eq(operators.workspaceId, server.workspaceId), eq(operators.id, id)));
    }
  }

  it("cannot be disabled or removed (409, with the reason)", async () => {
    const last = await newOperator("Last");
    await onlyActive([last.id]);
    const disable = await server.call("POST", `/api/v1/operators/${last.id}/disable`);
    expect(disable.status).toBe(409);
    expect(await disable.json()).toMatchObject({ code: "conflict", reason: "last_active_operator" });
    const remove = await server.call("DELETE", `/api/v1/operators/${last.id}`);
    expect(remove.status).toBe(409);
    expect(await activeCount()).toBe(1);
    // A disabled one can go.
    const gone = await newOperator("Gone");
    await onlyActive([last.id]);
    expect((await server.call("DELETE", `/api/v1/operators/${gone.id}`)).status).toBe(200);
  });

  it("survives two operators disabling each other at the same moment, round after round", async () => {
    for (let round = 0; round < 4; round++) {
      const ada = await newOperator("Ada");
      const bob = await newOperator("Bob");
      await onlyActive([ada.id, bob.id]);
      const [adaSession, bobSession] = await Promise.all([signedIn(ada.email), signedIn(bob.email)]);
      const [byAda, byBob] = await Promise.all([
        consoleCall(adaSession, "operators.disable", { id: bob.id }),
        consoleCall(bobSession, "operators.disable", { id: ada.id }),
      ]);
      // One wins; the other is refused as the last one, or finds its own session already ended.
      const statuses = [byAda.status, byBob.status].sort();
      expect(statuses[0]).toBe(200);
      expect([401, 409]).toContain(statuses[1]);
      expect(await activeCount()).toBe(1);
    }
  });

  it("survives concurrent disables and removals by API key: exactly one operator stays active", async () => {
    for (let round = 0; round < 3; round++) {
      const team = await Promise.all(["A", "B", "C"].map((name) => newOperator(name)));
      await onlyActive(team.map((operator) => operator.id));
      const answers = await Promise.all(
        team.map((operator, i) =>
          i === 0
            ? server.call("DELETE", `/api/v1/operators/${operator.id}`)
            : server.call("POST", `/api/v1/operators/${operator.id}/disable`),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 409]);
      expect(await activeCount()).toBe(1);
    }
  });
});

describe("remove", () => {
  it("ends the operator's sessions and their sign-in, and the log keeps who they were", async () => {
    const ada = await newOperator("Ada");
    const bob = await newOperator("Bob");
    const adaSession = await signedIn(ada.email);
    const bobSession = await signedIn(bob.email);
    const removed = await consoleCall(adaSession, "operators.remove", { id: bob.id });
    expect(removed.data).toMatchObject({ id: bob.id, email: bob.email });
    expect(await whoAmI(bobSession)).toBe(401);
    expect((await signIn(bob.email, PASSWORD)).status).toBe(401);
    const entry = (await activityFor(bob.id)).find((row) => row.action === "operator.removed");
    expect(entry).toMatchObject({
      action: "operator.removed",
      actorId: ada.id,
      changes: { before: { email: bob.email, name: "Bob" } },
    });
  });
});

describe("password reset", () => {
  it("ends the sessions, retires the old password, and the temporary one only buys a new password", async () => {
    const ada = await newOperator("Ada");
    const bob = await newOperator("Bob");
    const adaSession = await signedIn(ada.email);
    const bobSession = await signedIn(bob.email);

    const reset = await consoleCall(adaSession, "operators.resetPassword", { id: bob.id });
    expect(reset.status).toBe(200);
    const { temporaryPassword, operator } = reset.data as {
      temporaryPassword: string;
      operator: { passwordChangeRequired: boolean };
    };
    expect(operator.passwordChangeRequired).toBe(true);
    expect(temporaryPassword.length).toBeGreaterThanOrEqual(24);
    expect(await whoAmI(bobSession)).toBe(401);
    expect((await signIn(bob.email, PASSWORD)).status).toBe(401);

    const needsNew = await signIn(bob.email, temporaryPassword);
    expect(needsNew.status).toBe(403);
    expect(await needsNew.json()).toMatchObject({ code: "password_change_required" });
    expect(needsNew.headers.get("set-cookie")).toBeNull();
    const weak = await signIn(bob.email, temporaryPassword, { newPassword: "short" });
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({ issues: [{ path: "newPassword" }] });

    const chosen = "a brand new passphrase of mine";
    const bobAgain = await sessionOf(await signIn(bob.email, temporaryPassword, { newPassword: chosen }));
    expect(await whoAmI(bobAgain)).toBe(200);
    expect(
      (await signIn(bob.email, temporaryPassword, { newPassword: "yet another passphrase" })).status,
    ).toBe(401);
    expect((await signIn(bob.email, chosen)).status).toBe(200);

    const actions = (await activityFor(bob.id)).map((entry) => [entry.action, entry.actorId]);
    expect(actions).toContainEqual(["operator.password_reset", ada.id]);
    expect(actions).toContainEqual(["operator.password_changed", bob.id]);
    // The log never holds the temporary password.
    expect(JSON.stringify(await activityFor(bob.id))).not.toContain(temporaryPassword);
  });

  it("lifts a lockout of the account", async () => {
    const bob = await newOperator("Bob");
    for (let i = 0; i < 6; i++) await signIn(bob.email, "guess guess guess");
    expect((await signIn(bob.email, PASSWORD)).status).toBe(429);
    const reset = await server.call("POST", `/api/v1/operators/${bob.id}/password-reset`);
    const { temporaryPassword } = (await reset.json()) as { temporaryPassword: string };
    expect((await signIn(bob.email, temporaryPassword)).status).toBe(403);
  });
});

describe("revoke sessions", () => {
  it("signs another operator out everywhere, and an operator's own other sessions but not the one in use", async () => {
    const ada = await newOperator("Ada");
    const bob = await newOperator("Bob");
    const ada1 = await signedIn(ada.email);
    const ada2 = await signedIn(ada.email);
    const bob1 = await signedIn(bob.email);
    const bob2 = await signedIn(bob.email);

    const others = await consoleCall(ada1, "operators.revokeSessions", { id: bob.id });
    expect(others.data).toMatchObject({ sessionsEnded: 2 });
    expect([await whoAmI(bob1), await whoAmI(bob2)]).toEqual([401, 401]);
    // Bob can sign in again: revoking sessions is not disabling.
    expect(await whoAmI(await signedIn(bob.email))).toBe(200);

    const own = await consoleCall(ada1, "operators.revokeSessions", { id: ada.id });
    expect(own.data).toMatchObject({ sessionsEnded: 1 });
    expect([await whoAmI(ada1), await whoAmI(ada2)]).toEqual([200, 401]);
    expect(await activityFor(bob.id)).toContainEqual(
      expect.objectContaining({ action: "operator.sessions_revoked", actorId: ada.id }),
    );
  });

  it("is a workspace call: an API key may make it, an access token or nobody may not", async () => {
    const bob = await newOperator("Bob");
    const byKey = await server.call("POST", `/api/v1/operators/${bob.id}/sessions/revoke`);
    expect(byKey.status).toBe(200);
    const anonymous = await fetch(`${server.url}/api/v1/operators/${bob.id}/sessions/revoke`, {
      method: "POST",
    });
    expect(anonymous.status).toBe(401);
    expect((await activityFor(bob.id)).map((entry) => entry.actorType)).toContain("api_key");
  });
});
