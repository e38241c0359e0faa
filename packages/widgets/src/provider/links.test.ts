import type { AddressInfo } from "node:net";
import { type AppRouter, appRouter, createContext } from "@tenantry/api";
import { createHarness, type Harness } from "@tenantry/api/testing";
import { createTRPCClient, TRPCClientError } from "@trpc/client";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenantFor, createWidgetWorld, type WidgetWorld } from "../testing/world.js";
import { bearerTokenLink, tenantryHttpLink } from "./links.js";
import { createTokenSource } from "./token-source.js";

/**
 * The provider's link chain against the real router over HTTP: the bearer header, batching, a
 * 401 answered by one token refresh and one retry, and a token refreshed before it expires.
 */
let h: Harness;
let world: WidgetWorld;
let baseUrl: string;
let close: () => Promise<void>;
const seen: { path: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  h = await createHarness();
  world = await createWidgetWorld(h.api);
  await createTenantFor(h.api, "http-org");
  // The router over real HTTP as the server mounts it (tRPC's standalone handler), without
  // depending on the server app: a package may not depend on an app.
  const server = createHTTPServer({
    router: appRouter,
    basePath: "/trpc/",
    createContext: ({ req }) =>
      createContext({
        publicUrl: "http://127.0.0.1",
        db: h.handle.db,
        keyring: h.keyring,
        header: (name) => req.headers[name],
      }),
  });
  server.prependListener("request", (req) => {
    if (req.url?.startsWith("/trpc/")) seen.push({ path: req.url, authorization: req.headers.authorization });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await close();
  await h.close();
});

function clientWith(tokens: ReturnType<typeof createTokenSource>) {
  seen.length = 0;
  return createTRPCClient<AppRouter>({ links: [bearerTokenLink(tokens), tenantryHttpLink(`${baseUrl}/`)] });
}

const good = (expiresIn = 600) => world.signToken({ sub: "http-org", scope: "fields:read", expiresIn });
const unknownKey = () => world.signToken({ sub: "http-org", scope: "fields:read", unknownKey: true });

describe("the widgets' link chain over HTTP", () => {
  it("sends the bearer token and batches concurrent calls into one request", async () => {
    const token = await good();
    const client = clientWith(createTokenSource({ token }));
    const [me, schema] = await Promise.all([client.accessTokens.me.query(), client.fields.getSchema.query()]);
    expect(me.tenant.internalId).toBe("http-org");
    expect(schema.version).toBe(0);
    expect(seen).toEqual([
      { path: expect.stringContaining("accessTokens.me,fields.getSchema"), authorization: `Bearer ${token}` },
    ]);
  });

  it("after a 401 fetches one new token and retries once", async () => {
    const tokens = [await unknownKey(), await good()];
    let calls = 0;
    const client = clientWith(createTokenSource({ getToken: async () => tokens[calls++]! }));
    const me = await client.accessTokens.me.query();
    expect(me.tenant.internalId).toBe("http-org");
    expect(calls).toBe(2);
    expect(seen.map((s) => s.authorization)).toEqual([`Bearer ${tokens[0]}`, `Bearer ${tokens[1]}`]);
  });

  it("gives up after the retry: a second 401 reaches the caller", async () => {
    let calls = 0;
    const client = clientWith(
      createTokenSource({
        getToken: async () => {
          calls++;
          return unknownKey();
        },
      }),
    );
    const error = await client.accessTokens.me.query().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data).toMatchObject({
      httpStatus: 401,
      appCode: "unauthorized",
    });
    expect(calls).toBe(2);
    expect(seen).toHaveLength(2);
  });

  it("a fixed token is never retried", async () => {
    const client = clientWith(createTokenSource({ token: await unknownKey() }));
    await expect(client.accessTokens.me.query()).rejects.toBeInstanceOf(TRPCClientError);
    expect(seen).toHaveLength(1);
  });

  it("fetches a new token before the cached one expires, not after a refused call", async () => {
    let calls = 0;
    // 20 s left is inside the 30 s refresh margin: the next call needs a new token first.
    const client = clientWith(
      createTokenSource({
        getToken: async () => {
          calls++;
          // A distinct name claim, so two tokens signed in the same second differ.
          return world.signToken({ sub: "http-org", name: `n${calls}`, scope: "fields:read", expiresIn: 20 });
        },
      }),
    );
    await client.accessTokens.me.query();
    await client.accessTokens.me.query();
    expect(calls).toBe(2);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.authorization).not.toBe(seen[1]!.authorization);
  });
});
