import { signAccessToken } from "@tenantry/client";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./testing/test-server";

/** A page whose origin is refused sees only "Failed to fetch": the server says why, and to whom. */
let s: TestServer;
let kid: string;
let token: string;
const allowed = "https://app.example";
const refused = "https://shop.example";
/** Allowed by another workspace only, so CORS lets its calls through to the token check. */
const elsewhere = "https://elsewhere.example";

beforeAll(async () => {
  s = await startTestServer();
  expect((await s.call("PUT", "/api/v1/allowed-origins", { origins: [allowed] })).status).toBe(200);
  await s.handle.db
    .insert(workspaces)
    .values({ id: "ws_other_origin", name: "Other", settings: { allowedOrigins: [elsewhere] } });
  const key = (await (await s.call("POST", "/api/v1/signing-keys", { algorithm: "HS256" })).json()) as {
    id: string;
    secret: string;
  };
  kid = key.id;
  token = await signAccessToken({
    signingKey: { id: key.id, secret: key.secret },
    tenant: { id: "origin-co", name: "Origin Co" },
    scope: ["tenant:read"],
    expiresIn: "5m",
  });
});
afterAll(() => s.close());

const diagnose = (query: string, origin?: string) =>
  fetch(`${s.url}/cors-diagnosis${query}`, { headers: origin ? { origin } : {} });
const warnings = () =>
  s.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.level === 40);

describe("a not-allowed origin, diagnosed", () => {
  it("logs a refused preflight with the origin and what to do", async () => {
    const preflight = await fetch(`${s.url}/trpc/accessTokens.me`, {
      method: "OPTIONS",
      headers: { origin: refused, "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(403);
    expect(warnings()).toContainEqual(
      expect.objectContaining({
        origin: refused,
        workspaceId: null,
        msg: expect.stringContaining(`Origin ${refused} is not allowed`),
        hint: expect.stringContaining("Allowed origins"),
      }),
    );
  });

  it("tells any page whether its origin is allowed for a key's workspace, never the list", async () => {
    const no = await diagnose(`?kid=${kid}`, refused);
    expect(no.status).toBe(200);
    expect(no.headers.get("access-control-allow-origin")).toBe("*");
    const body = await no.text();
    expect(JSON.parse(body)).toEqual({ origin: refused, kid, verdict: "origin_not_allowed" });
    expect(body).not.toContain(allowed);
    expect(warnings()).toContainEqual(
      expect.objectContaining({ origin: refused, workspaceId: s.workspaceId, kid }),
    );

    const yes = await diagnose(`?kid=${kid}`, allowed);
    expect(await yes.json()).toEqual({ origin: allowed, kid, verdict: "allowed" });
    const unknown = await diagnose("?kid=key_missing", refused);
    expect(await unknown.json()).toEqual({ origin: refused, kid: "key_missing", verdict: "unknown_key" });
  });

  it("answers bad questions with a clear 400 or 405", async () => {
    const noKid = await diagnose("", refused);
    expect(noKid.status).toBe(400);
    expect(noKid.headers.get("access-control-allow-origin")).toBe("*");
    expect(await noKid.json()).toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining("kid"),
    });
    expect((await diagnose(`?kid=${encodeURIComponent("a b<")}`, refused)).status).toBe(400);
    const noOrigin = await diagnose(`?kid=${kid}`);
    expect(noOrigin.status).toBe(400);
    expect(await noOrigin.json()).toMatchObject({ message: expect.stringContaining("Origin") });
    const post = await fetch(`${s.url}/cors-diagnosis?kid=${kid}`, {
      method: "POST",
      headers: { origin: refused },
    });
    expect(post.status).toBe(405);
  });

  it("logs the workspace and key when a token's call comes from an origin only another workspace allows", async () => {
    const before = warnings().length;
    const call = await fetch(`${s.url}/trpc/accessTokens.me`, {
      headers: { origin: elsewhere, authorization: `Bearer ${token}` },
    });
    expect(call.status).toBe(403);
    expect(((await call.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe(
      "origin_not_allowed",
    );
    await expect
      .poll(() => warnings().slice(before))
      .toContainEqual(expect.objectContaining({ origin: elsewhere, workspaceId: s.workspaceId, kid }));

    const rest = await fetch(`${s.url}/api/v1/me`, {
      headers: { origin: elsewhere, authorization: `Bearer ${token}` },
    });
    expect(rest.status).toBe(403);
    await expect.poll(() => warnings().slice(before).length).toBe(2);
  });
});
