import { validate } from "@readme/openapi-parser";
import type { AppRouter } from "@tenantry/api";
import { tenants } from "@tenantry/db/schema/tenants";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { count } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { undocumentedStatuses } from "./testing/documented-statuses";
import { startTestServer, type TestServer } from "./testing/test-server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const unique = () => Math.random().toString(36).slice(2, 10);

async function tenantCount(): Promise<number> {
  const [row] = await s.handle.db.select({ n: count() }).from(tenants);
  return row!.n;
}

async function json(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as Record<string, unknown>;
}

async function createTenant(body: Record<string, unknown> = {}) {
  const response = await s.call("POST", "/api/v1/tenants", { name: `Tenant ${unique()}`, ...body });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; slug: string; version: number };
}

describe("the tenants REST contract", () => {
  it("creates, reads with an ETag, patches, replaces, suspends, activates, archives and deletes", async () => {
    const created = await createTenant({ name: "Acme Corp", internalId: `acme-${unique()}`, maxUsers: 25 });
    expect(created).toMatchObject({ slug: expect.stringMatching(/^acme-corp/), version: 1 });

    const read = await s.call("GET", `/api/v1/tenants/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toBe('"1"');
    expect(await read.json()).toMatchObject({ id: created.id, maxUsers: 25 });

    const patched = await s.call(
      "PATCH",
      `/api/v1/tenants/${created.id}`,
      { kind: "enterprise" },
      {
        "if-match": '"1"',
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.headers.get("etag")).toBe('"2"');
    expect(await patched.json()).toMatchObject({ kind: "enterprise", maxUsers: 25, version: 2 });

    const replaced = await s.call("PUT", `/api/v1/tenants/${created.id}`, {
      name: "Acme AB",
      slug: "acme-ab-x",
    });
    expect(replaced.status).toBe(200);
    // PUT replaces every updatable field: what the body leaves out returns to its default.
    expect(await replaced.json()).toMatchObject({
      name: "Acme AB",
      kind: "standard",
      maxUsers: null,
      version: 3,
    });

    for (const [action, status] of [
      ["suspend", "suspended"],
      ["activate", "active"],
      ["archive", "archived"],
    ] as const) {
      const response = await s.call("POST", `/api/v1/tenants/${created.id}/${action}`, {});
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status });
    }

    const activity = await json(await s.call("GET", `/api/v1/tenants/${created.id}/activity`));
    expect((activity.items as { action: string }[]).map((entry) => entry.action)).toEqual([
      "tenant.archived",
      "tenant.activated",
      "tenant.suspended",
      "tenant.updated",
      "tenant.updated",
      "tenant.created",
    ]);

    const deleted = await s.call("DELETE", `/api/v1/tenants/${created.id}`);
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    const gone = await s.call("GET", `/api/v1/tenants/${created.id}`);
    expect(gone.status).toBe(404);
    expect(await json(gone)).toMatchObject({ code: "not_found" });
  });

  it("pages with nextCursor through every tenant exactly once, with filters", async () => {
    const kind = "trial";
    const made = new Set<string>();
    for (let i = 0; i < 7; i++) made.add((await createTenant({ kind })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?kind=${kind}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await json(await s.call("GET", `/api/v1/tenants${query}`));
      const items = page.items as { id: string; kind: string }[];
      expect(items.length).toBeLessThanOrEqual(3);
      for (const item of items) {
        expect(item.kind).toBe(kind);
        seen.push(item.id);
      }
      cursor = page.nextCursor as string | null;
    } while (cursor);
    expect(seen).toHaveLength(made.size);
    expect(new Set(seen)).toEqual(made);

    const badCursor = await s.call("GET", "/api/v1/tenants?cursor=not-a-cursor");
    expect(badCursor.status).toBe(400);
    const badLimit = await s.call("GET", "/api/v1/tenants?limit=0");
    expect(badLimit.status).toBe(400);
  });

  it("refuses a stale If-Match with 409 and the current version, changing nothing", async () => {
    const tenant = await createTenant();
    await s.call("PATCH", `/api/v1/tenants/${tenant.id}`, { name: "First" }, { "if-match": '"1"' });
    const stale = await s.call(
      "PATCH",
      `/api/v1/tenants/${tenant.id}`,
      { name: "Second" },
      { "if-match": '"1"' },
    );
    expect(stale.status).toBe(409);
    expect(await json(stale)).toMatchObject({ code: "version_conflict", currentVersion: 2 });
    const garbage = await s.call(
      "PATCH",
      `/api/v1/tenants/${tenant.id}`,
      { name: "Third" },
      { "if-match": "abc" },
    );
    expect(garbage.status).toBe(400);
    expect(await json(await s.call("GET", `/api/v1/tenants/${tenant.id}`))).toMatchObject({ name: "First" });
  });

  it("makes creates idempotent with Idempotency-Key, also when the same key arrives many times at once", async () => {
    const key = `signup-${unique()}`;
    const body = { name: `Idem ${unique()}` };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => s.call("POST", "/api/v1/tenants", body, { "idempotency-key": key })),
    );
    const ids = new Set<string>();
    for (const answer of answers) {
      expect(answer.status).toBe(201);
      ids.add(((await answer.json()) as { id: string }).id);
    }
    expect(ids.size).toBe(1);

    const other = await s.call(
      "POST",
      "/api/v1/tenants",
      { name: "Something else" },
      { "idempotency-key": key },
    );
    expect(other.status).toBe(409);
    expect(await json(other)).toMatchObject({ code: "idempotency_key_reused" });
  });

  it("lets exactly one of 20 concurrent creates with one slug win; the others get 409 slug_taken", async () => {
    const slug = `race-${unique()}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.call("POST", "/api/v1/tenants", { name: `Race ${i}`, slug })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    const conflict = answers.find((answer) => answer.status === 409)!;
    expect(await json(conflict)).toMatchObject({ code: "slug_taken" });
  });
});

describe("bad input over HTTP", () => {
  const cases: [string, () => Promise<Response>, number, string][] = [
    ["malformed JSON", () => s.call("POST", "/api/v1/tenants", '{"name": "x",'), 400, "invalid_json"],
    [
      "a body that is not JSON",
      () =>
        s.call("POST", "/api/v1/tenants", "name=x", { "content-type": "application/x-www-form-urlencoded" }),
      415,
      "unsupported_media_type",
    ],
    [
      "a body over the 1 MiB limit",
      () => s.call("POST", "/api/v1/tenants", { name: "x", metadata: { blob: "x".repeat(1_100_000) } }),
      413,
      "payload_too_large",
    ],
    ["a name of the wrong type", () => s.call("POST", "/api/v1/tenants", { name: 42 }), 400, "invalid_input"],
    [
      "an unknown kind",
      () => s.call("POST", "/api/v1/tenants", { name: "x", kind: "galactic" }),
      400,
      "invalid_input",
    ],
    [
      "a bad slug",
      () => s.call("POST", "/api/v1/tenants", { name: "x", slug: "Acme Corp!" }),
      400,
      "invalid_input",
    ],
    [
      "a malformed client id",
      () => s.call("POST", "/api/v1/tenants", { id: "tenant_123", name: "x" }),
      400,
      "invalid_input",
    ],
    [
      "a name of half a megabyte",
      () => s.call("POST", "/api/v1/tenants", { name: "n".repeat(500_000) }),
      400,
      "invalid_input",
    ],
    [
      "__proto__ in metadata",
      () => s.call("POST", "/api/v1/tenants", '{"name": "x", "metadata": {"__proto__": {"admin": true}}}'),
      400,
      "invalid_input",
    ],
    [
      "an unknown field",
      () => s.call("POST", "/api/v1/tenants", { name: "x", color: "red" }),
      400,
      "invalid_input",
    ],
    [
      "no API key",
      () =>
        fetch(`${s.url}/api/v1/tenants`, {
          method: "POST",
          body: "{}",
          headers: { "content-type": "application/json" },
        }),
      401,
      "unauthorized",
    ],
    [
      "a wrong API key",
      () => s.call("POST", "/api/v1/tenants", { name: "x" }, { authorization: "Bearer tnt_sk_wrong" }),
      401,
      "unauthorized",
    ],
  ];
  it.each(cases)("answers %s with a JSON error and writes nothing", async (_, send, status, code) => {
    const before = await tenantCount();
    const response = await send();
    expect(response.status).toBe(status);
    const body = await json(response);
    expect(body).toMatchObject({ code, message: expect.any(String), requestId: expect.any(String) });
    expect(await tenantCount()).toBe(before);
  });

  it("accepts the key as x-api-key too", async () => {
    const response = await fetch(`${s.url}/api/v1/tenants?limit=1`, { headers: { "x-api-key": s.apiKey } });
    expect(response.status).toBe(200);
  });

  it("answers unknown tenants, routes and methods with JSON, never HTML", async () => {
    const unknownTenant = await s.call("GET", "/api/v1/tenants/tenant_01900000-0000-7000-8000-000000000000");
    expect(unknownTenant.status).toBe(404);
    expect(await json(unknownTenant)).toMatchObject({ code: "not_found" });
    const badId = await s.call("GET", "/api/v1/tenants/not-an-id");
    expect(badId.status).toBe(400);
    const route = await s.call("GET", "/api/v1/nothing-here");
    expect(route.status).toBe(404);
    expect(await json(route)).toMatchObject({ code: "not_found" });
    const method = await s.call("PATCH", "/api/v1/tenants", {});
    expect(method.status).toBe(405);
    expect(method.headers.get("allow")).toContain("POST");
    const outside = await fetch(`${s.url}/wp-admin`);
    expect(outside.status).toBe(404);
    expect(await json(outside)).toMatchObject({ code: "not_found" });
  });

  it("sends security headers and echoes a safe request id", async () => {
    const response = await s.call("GET", "/api/v1/tenants?limit=1", undefined, { "x-request-id": "req-123" });
    expect(response.headers.get("x-request-id")).toBe("req-123");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    const unsafe = await s.call("GET", "/api/v1/tenants?limit=1", undefined, { "x-request-id": "<script>" });
    expect(unsafe.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("secrets", () => {
  it("never appear in a response, an activity entry or a log line", async () => {
    const secret = `s3cr3t-${unique()}`;
    const tenant = await createTenant();
    const patched = await s.call("PATCH", `/api/v1/tenants/${tenant.id}`, {
      credentials: { apiToken: secret },
    });
    expect(patched.status).toBe(200);
    const bodies = [
      await patched.text(),
      await (await s.call("GET", `/api/v1/tenants/${tenant.id}`)).text(),
      await (await s.call("GET", `/api/v1/tenants?limit=100`)).text(),
      await (await s.call("GET", `/api/v1/tenants/${tenant.id}/activity`)).text(),
    ];
    for (const body of bodies) expect(body).not.toContain(secret);
    // The backend's explicit call opens them.
    const opened = await json(await s.call("GET", `/api/v1/tenants/${tenant.id}/credentials`));
    expect(opened).toMatchObject({ credentials: { apiToken: secret } });

    const logText = s.logs.join("");
    expect(logText).toContain(`/api/v1/tenants/${tenant.id}/credentials`); // the sink saw the requests
    expect(logText).not.toContain(secret);
    expect(logText).not.toContain(s.apiKey);
  });
});

describe("service endpoints", () => {
  it("answers /healthz, a valid OpenAPI document and the reference page", async () => {
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });

    const document = await json(await fetch(`${s.url}/api/v1/openapi.json`));
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    const paths = Object.keys(document.paths as object);
    expect(paths).toEqual(
      expect.arrayContaining(["/tenants", "/tenants/{id}", "/tenants/{tenantId}/activity"]),
    );

    const reference = await fetch(`${s.url}/api/v1/reference`);
    expect(reference.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await reference.text()).toContain("/tenants/{id}");
  });
});

describe("the typed tRPC client", () => {
  /** A client whose requests are counted, so a test can tell one batched request from several. */
  const client = (sent: string[] = []) =>
    createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${s.url}/trpc`,
          headers: { authorization: `Bearer ${s.apiKey}` },
          fetch: (url, init) => {
            sent.push(String(url));
            return fetch(url, init);
          },
        }),
      ],
    });

  it("calls procedures in one batch, typed end to end", async () => {
    const sent: string[] = [];
    const trpc = client(sent);
    const name = `Typed ${unique()}`;
    const created = await trpc.tenants.create.mutate({ name });
    const [again, page] = await Promise.all([
      trpc.tenants.get.query({ id: created.id }),
      trpc.tenants.list.query({ limit: 5 }),
    ]);
    expect(again.name).toBe(name);
    expect(page.items.map((tenant) => tenant.id)).toContain(created.id);
    // The create, then both queries in one request that names both procedures.
    expect(sent).toHaveLength(2);
    expect(new URL(sent[1]!).pathname).toBe("/trpc/tenants.get,tenants.list");
    expect(new URL(sent[1]!).searchParams.get("batch")).toBe("1");
  });

  it("surfaces errors with their HTTP status and stable code", async () => {
    const error = await client()
      .tenants.get.query({ id: "tenant_01900000-0000-7000-8000-000000000000" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const { data } = error as TRPCClientError<AppRouter>;
    expect(data).toMatchObject({ httpStatus: 404, code: "NOT_FOUND", appCode: "not_found" });
  });
});

describe("browser origins (CORS)", () => {
  const allowed = "https://app.example.com";
  beforeAll(async () => {
    const response = await s.call("PUT", "/api/v1/allowed-origins", { origins: [allowed] });
    expect(response.status).toBe(200);
  });

  it("answers a preflight from an allowed origin", async () => {
    const response = await fetch(`${s.url}/api/v1/me`, {
      method: "OPTIONS",
      headers: { origin: allowed, "access-control-request-method": "GET" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(response.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(response.headers.get("access-control-allow-methods")).toContain("PATCH");
    expect(response.headers.get("vary")).toContain("Origin");
  });

  it("refuses a preflight from another origin and adds no CORS headers to its requests", async () => {
    const preflight = await fetch(`${s.url}/api/v1/me`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const request = await s.call("GET", "/api/v1/tenants?limit=1", undefined, {
      origin: "https://evil.example",
    });
    expect(request.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("exposes the headers widgets read on real responses from an allowed origin", async () => {
    const tenant = await createTenant();
    const response = await s.call("GET", `/api/v1/tenants/${tenant.id}`, undefined, { origin: allowed });
    expect(response.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(response.headers.get("access-control-expose-headers")).toContain("etag");
  });

  it("refuses an origin on the next request after it leaves the list, though it was just allowed", async () => {
    const leaving = "https://leaving.example.com";
    const preflight = () =>
      fetch(`${s.url}/api/v1/me`, {
        method: "OPTIONS",
        headers: { origin: leaving, "access-control-request-method": "GET" },
      });
    expect((await s.call("PUT", "/api/v1/allowed-origins", { origins: [allowed, leaving] })).status).toBe(
      200,
    );
    // Twice: the second answer may come from the process's cache.
    expect((await preflight()).status).toBe(204);
    expect((await preflight()).status).toBe(204);
    expect((await s.call("PUT", "/api/v1/allowed-origins", { origins: [allowed] })).status).toBe(200);
    expect((await preflight()).status).toBe(403);
  });

  it("treats the server's own origin as same-origin", async () => {
    const response = await s.call("GET", "/api/v1/tenants?limit=1", undefined, { origin: s.url });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

// Last in the file: it reads every answer the tests above got.
describe("the OpenAPI document's error responses", () => {
  type Document = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  const openApi = async () =>
    (await json(await fetch(`${s.url}/api/v1/openapi.json`))) as unknown as Document;

  it("list what the routes can answer: 503 on every one, 429 and 502 where limits and providers are", async () => {
    const { paths } = await openApi();
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(
          expect.arrayContaining(["400", "401", "403", "500", "503"]),
        );
      }
    }
    expect(Object.keys(paths["/tenants/{tenantId}/usage"]!.post!.responses)).toContain("429");
    expect(Object.keys(paths["/connections/{id}/credentials"]!.get!.responses)).toEqual(
      expect.arrayContaining(["409", "502", "503"]),
    );
    expect(paths["/tenants/{id}"]!.get!.responses["503"]).toMatchObject({
      description: expect.stringContaining("`unavailable`"),
    });
  });

  it("list every status the tests in this file saw, for the route that answered it", async () => {
    const seen = new Set(s.responses.filter((r) => r.path.startsWith("/api/v1/")).map((r) => r.status));
    // The file exercises errors, not just successes, so the check below has something to hold.
    expect([...seen].filter((status) => status >= 400).length).toBeGreaterThan(3);
    const document = await openApi();
    expect(undocumentedStatuses(document, s.responses)).toEqual([]);
    // And it does hold: a status no route lists is named, by the route's template.
    expect(
      undocumentedStatuses(document, [{ method: "GET", path: "/api/v1/tenants/tenant_x", status: 418 }]),
    ).toEqual(["GET /api/v1/tenants/{id} → 418"]);
  });
});
