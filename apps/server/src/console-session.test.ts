import { ACCOUNT_THROTTLE, CSRF_HEADER, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "@tenantry/api/operators";
import { testClock } from "@tenantry/api/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

/** The console's sign-in, session cookie and CSRF header over real HTTP, on a fresh database. */
let server: TestServer;
const PASSWORD = "correct horse battery staple";
/** Sessions end by this clock: the tests move it instead of waiting or back-dating rows. */
const clock = testClock(Date.now());

beforeAll(async () => {
  server = await startTestServer({ clock });
});
afterAll(() => server.close());

interface SessionAnswer {
  operator: { id: string; email: string };
  csrfToken: string;
}

const json = (body: unknown) => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

function cookieOf(response: Response): string {
  const setCookie = response.headers.get("set-cookie") ?? "";
  return setCookie.split(";")[0]!;
}

async function signIn(email: string, password: string) {
  return fetch(`${server.url}/console/session`, json({ email, password }));
}

/** A tRPC mutation as the console sends it. */
function createTenant(cookie: string, name: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/trpc/tenants.create`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie, ...headers },
    body: JSON.stringify({ name }),
  });
}

describe("console sessions", () => {
  let cookie: string;
  let session: SessionAnswer;

  it("sets up the first operator with the admin API key, once", async () => {
    const before = await fetch(`${server.url}/console/session`);
    expect(before.status).toBe(401);
    expect(await before.json()).toMatchObject({ setupRequired: true });

    const wrongKey = await fetch(
      `${server.url}/console/setup`,
      json({ apiKey: "tnt_sk_nope", email: "ops@host.example", name: "Ops", password: PASSWORD }),
    );
    expect(wrongKey.status).toBe(401);
    const weak = await fetch(
      `${server.url}/console/setup`,
      json({ apiKey: server.apiKey, email: "ops@host.example", name: "Ops", password: "short" }),
    );
    expect(weak.status).toBe(400);

    // Two browsers at once: one operator.
    const [a, b] = await Promise.all(
      ["ops@host.example", "other@host.example"].map((email) =>
        fetch(
          `${server.url}/console/setup`,
          json({ apiKey: server.apiKey, email, name: "Ops", password: PASSWORD }),
        ),
      ),
    );
    expect([a!.status, b!.status].sort()).toEqual([200, 409]);
    const winner = a!.status === 200 ? a! : b!;
    expect(winner.headers.get("set-cookie")).toMatch(
      /^tenantry_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax/,
    );
    const after = await fetch(`${server.url}/console/session`);
    expect(await after.json()).toMatchObject({ setupRequired: false });
  });

  it("refuses a wrong password and signs in with the right one", async () => {
    const [first] = await fetch(`${server.url}/console/session`).then(() =>
      Promise.all([signIn("ops@host.example", PASSWORD), signIn("other@host.example", PASSWORD)]),
    );
    // Whichever email won the setup race signs in; the other does not exist.
    const winnerEmail = first!.status === 200 ? "ops@host.example" : "other@host.example";
    const wrong = await signIn(winnerEmail, "not the password at all");
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: "invalid_credentials" });
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const right = await signIn(winnerEmail.toUpperCase(), PASSWORD);
    expect(right.status).toBe(200);
    cookie = cookieOf(right);
    session = (await right.json()) as SessionAnswer;
    expect(session.operator.email).toBe(winnerEmail);
    const who = await fetch(`${server.url}/console/session`, { headers: { cookie } });
    expect(await who.json()).toMatchObject({ csrfToken: session.csrfToken });
  });

  it("acts with the cookie and CSRF header, and names the operator in the activity log", async () => {
    const created = await createTenant(cookie, "Console Co", { [CSRF_HEADER]: session.csrfToken });
    expect(created.status).toBe(200);
    const tenant = ((await created.json()) as { result: { data: { id: string } } }).result.data;
    const log = await server.call("GET", `/api/v1/tenants/${tenant.id}/activity`);
    const entries = ((await log.json()) as { items: { action: string; actor: unknown }[] }).items;
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: "tenant.created",
        actor: { type: "operator", id: session.operator.id },
      }),
    );
  });

  it("lets workspace-wide callers ask /me for a named tenant (the widgets' operator mode)", async () => {
    const created = await server.call("POST", "/api/v1/tenants", { name: "Operator Mode Co" });
    const { id } = (await created.json()) as { id: string };
    const me = await server.call("GET", `/api/v1/me?tenantId=${id}`);
    expect(me.status).toBe(200);
    const body = (await me.json()) as { tenant: { id: string }; member: null; permissions: string[] };
    expect(body).toMatchObject({ tenant: { id }, member: null });
    expect(body.permissions).toContain("members:write");
    expect((await server.call("GET", "/api/v1/me")).status).toBe(403);
  });

  it("serves the console's pages only at its own paths", async () => {
    expect((await fetch(`${server.url}/wp-admin`)).status).toBe(404);
    expect((await fetch(`${server.url}/oauth/nothing`)).headers.get("content-type")).toContain("json");
  });

  it("refuses a cookie without the CSRF header, with a wrong one, or from another origin; nothing changes", async () => {
    const count = async () =>
      ((await (await server.call("GET", "/api/v1/tenants?q=Forged")).json()) as { items: unknown[] }).items
        .length;
    const missing = await createTenant(cookie, "Forged 1");
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: { data: { appCode: "csrf_failed" } } });
    const wrong = await createTenant(cookie, "Forged 2", { [CSRF_HEADER]: "x".repeat(43) });
    expect(wrong.status).toBe(403);
    const crossSite = await createTenant(cookie, "Forged 3", {
      [CSRF_HEADER]: session.csrfToken,
      origin: "https://evil.example",
    });
    expect(crossSite.status).toBe(403);
    const rest = await fetch(`${server.url}/api/v1/tenants`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "Forged 4" }),
    });
    expect(rest.status).toBe(403);
    expect(await count()).toBe(0);
    const foreignSignIn = await fetch(`${server.url}/console/session`, {
      ...json({ email: session.operator.email, password: PASSWORD }),
      headers: { "content-type": "application/json", origin: "https://evil.example" },
    });
    expect(foreignSignIn.status).toBe(403);
  });

  it("throttles sign-in attempts per account, across concurrent requests", async () => {
    const email = "target@host.example";
    const answers = await Promise.all(
      Array.from({ length: ACCOUNT_THROTTLE.failures + 3 }, () => signIn(email, "guess guess guess")),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(ACCOUNT_THROTTLE.failures);
    expect(statuses.filter((status) => status === 429)).toHaveLength(3);
    const limited = answers.find((answer) => answer.status === 429)!;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("ends the session at expiry and at sign-out", async () => {
    const csrf = { [CSRF_HEADER]: session.csrfToken };
    const refusedLogout = await fetch(`${server.url}/console/session`, {
      method: "DELETE",
      headers: { cookie },
    });
    expect(refusedLogout.status).toBe(403);
    const out = await fetch(`${server.url}/console/session`, {
      method: "DELETE",
      headers: { cookie, ...csrf },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect((await createTenant(cookie, "After logout", csrf)).status).toBe(401);

    const again = await signIn(session.operator.email, PASSWORD);
    const fresh = cookieOf(again);
    const { csrfToken } = (await again.json()) as SessionAnswer;
    expect((await createTenant(fresh, "Before expiry", { [CSRF_HEADER]: csrfToken })).status).toBe(200);
    clock.advance(SESSION_IDLE_MS + 1000);
    expect((await createTenant(fresh, "After expiry", { [CSRF_HEADER]: csrfToken })).status).toBe(401);
    expect((await fetch(`${server.url}/console/session`, { headers: { cookie: fresh } })).status).toBe(401);
  });

  it("keeps a session in use alive past its idle time, but not past its absolute lifetime", async () => {
    const signedIn = await signIn(session.operator.email, PASSWORD);
    const cookie = cookieOf(signedIn);
    const csrf = { [CSRF_HEADER]: ((await signedIn.json()) as SessionAnswer).csrfToken };
    // A request every idle period less an hour keeps it alive for days…
    let elapsed = 0;
    while (elapsed + SESSION_IDLE_MS < SESSION_ABSOLUTE_MS) {
      clock.advance(SESSION_IDLE_MS - 60 * 60 * 1000);
      elapsed += SESSION_IDLE_MS - 60 * 60 * 1000;
      expect((await fetch(`${server.url}/console/session`, { headers: { cookie } })).status).toBe(200);
    }
    // …until a week after sign-in, however busy.
    clock.advance(SESSION_ABSOLUTE_MS - elapsed);
    expect((await createTenant(cookie, "After a week", csrf)).status).toBe(401);
  });
});
