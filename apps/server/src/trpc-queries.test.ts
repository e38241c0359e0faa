import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { appRouter, createContext } from "@tenantry/api";
import { bootstrapDefaultWorkspace, createApiKey, randomKeyring } from "@tenantry/api/server-runtime";
import type { TenantryRouter } from "@tenantry/contracts/router";
import type { DatabaseHandle } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { createTestDatabase } from "@tenantry/db/test-database";
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpServer } from "./http-server";

/**
 * The server answers tRPC queries (GET) on its own lean path (trpc-queries.ts) and everything else
 * through tRPC's standalone adapter. Here the same requests go to the real server and to a plain
 * adapter over the same database, and every answer must be the same: status, body, content-type,
 * vary. The lean path answers with a content-length where the adapter streams (chunked), which is
 * how each test also knows which path answered.
 */
let handle: DatabaseHandle;
let real: { server: Server; url: string };
let reference: { server: Server; url: string };
let apiKey: string;
const tenantIds: string[] = [];
/** A well-formed tenant id that names no tenant. */
const MISSING = newId("tenant");

async function listen(server: Server): Promise<{ server: Server; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  handle = await createTestDatabase();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db, {});
  apiKey = (await createApiKey(handle.db, { workspaceId, name: "test" })).key;
  const keyring = await randomKeyring();
  const logger = pino({ level: "silent" });
  real = await listen(
    createHttpServer({
      state: { db: handle.db, keyring },
      logger,
      publicUrl: "http://127.0.0.1",
      bodyLimitBytes: 1024 * 1024,
      version: "test",
    }),
  );
  const adapter = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    createContext: ({ req }) =>
      createContext({
        db: handle.db,
        keyring,
        requestId: req.headers["x-request-id"] as string,
        header: (name) => req.headers[name],
        publicUrl: "http://127.0.0.1",
      }),
  });
  reference = await listen(createServer((req, res) => adapter(req, res)));
  for (const name of ["Alpha", "Beta"]) {
    const response = await fetch(`${real.url}/api/v1/tenants`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
    tenantIds.push(((await response.json()) as { id: string }).id);
  }
});

afterAll(async () => {
  for (const { server } of [real, reference]) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await handle.close();
});

interface Answer {
  status: number;
  body: string;
  contentType: string | null;
  vary: string | null;
  chunked: boolean;
}

async function ask(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: { "x-request-id": "req-compare-1", ...(init.headers as Record<string, string>) },
  });
  return {
    status: response.status,
    body: await response.text(),
    contentType: response.headers.get("content-type"),
    vary: response.headers.get("vary"),
    chunked: response.headers.get("transfer-encoding") === "chunked",
  };
}

/** Both answers, asserted equal but for how the body was framed; `lean` says which path answered. */
async function compare(path: string, init: RequestInit = {}): Promise<Answer & { lean: boolean }> {
  const mine = await ask(real.url, path, init);
  const theirs = await ask(reference.url, path, init);
  const { chunked: mineChunked, ...mineRest } = mine;
  const { chunked: _theirsChunked, ...theirsRest } = theirs;
  expect(mineRest).toEqual(theirsRest);
  return { ...mine, lean: !mineChunked };
}

const key = () => ({ headers: { authorization: `Bearer ${apiKey}` } });
const batchOf = (...inputs: unknown[]) =>
  encodeURIComponent(JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, input]))));

describe("tRPC queries on the lean path answer exactly as the adapter", () => {
  it("one query, batched as httpBatchLink sends it and unbatched as httpLink does", async () => {
    const batched = await compare(`/trpc/tenants.get?batch=1&input=${batchOf({ id: tenantIds[0] })}`, key());
    expect(batched).toMatchObject({ status: 200, lean: true, contentType: "application/json" });
    expect(JSON.parse(batched.body)[0].result.data.name).toBe("Alpha");
    const single = await compare(
      `/trpc/tenants.get?input=${encodeURIComponent(JSON.stringify({ id: tenantIds[1] }))}`,
      key(),
    );
    expect(single).toMatchObject({ status: 200, lean: true });
    expect(JSON.parse(single.body).result.data.name).toBe("Beta");
  });

  it("a batch of several, in order", async () => {
    const answer = await compare(
      `/trpc/tenants.get,tenants.list,tenants.get?batch=1&input=${batchOf(
        { id: tenantIds[1] },
        { limit: 1 },
        { id: tenantIds[0] },
      )}`,
      key(),
    );
    expect(answer).toMatchObject({ status: 200, lean: true });
    const body = JSON.parse(answer.body);
    expect(body).toHaveLength(3);
    expect(body[0].result.data.id).toBe(tenantIds[1]);
    expect(body[1].result.data.items).toHaveLength(1);
    expect(body[2].result.data.id).toBe(tenantIds[0]);
  });

  it("errors: not found, bad input, no credentials, and a mixed batch (207)", async () => {
    const missing = await compare(`/trpc/tenants.get?batch=1&input=${batchOf({ id: MISSING })}`, key());
    expect(missing).toMatchObject({ status: 404, lean: true });
    expect(JSON.parse(missing.body)[0].error.data.appCode).toBe("not_found");

    const invalid = await compare(`/trpc/tenants.get?batch=1&input=${batchOf({ id: 42 })}`, key());
    expect(invalid).toMatchObject({ status: 400, lean: true });

    const anonymous = await compare(`/trpc/tenants.get?batch=1&input=${batchOf({ id: tenantIds[0] })}`);
    expect(anonymous).toMatchObject({ status: 401, lean: true });

    const unbatched = await compare(`/trpc/tenants.get?input=${encodeURIComponent('{"id":1}')}`, key());
    expect(unbatched).toMatchObject({ status: 400, lean: true });
    expect(JSON.parse(unbatched.body).error.data.path).toBe("tenants.get");

    const mixed = await compare(
      `/trpc/tenants.get,tenants.get?batch=1&input=${batchOf({ id: tenantIds[0] }, { id: "nope" })}`,
      key(),
    );
    expect(mixed).toMatchObject({ status: 207, lean: true });
  });

  it("leaves to the adapter what is not a plain query: unknown procedures, mutations, streams, bad JSON", async () => {
    const unknown = await compare(`/trpc/tenants.nope?batch=1&input=${batchOf({})}`, key());
    expect(unknown).toMatchObject({ status: 404, lean: false });
    const unknownInBatch = await compare(
      `/trpc/tenants.get,tenants.nope?batch=1&input=${batchOf({ id: tenantIds[0] }, {})}`,
      key(),
    );
    expect(unknownInBatch).toMatchObject({ status: 207, lean: false });

    const mutationByGet = await compare(
      `/trpc/tenants.create?batch=1&input=${batchOf({ name: "X" })}`,
      key(),
    );
    expect(mutationByGet).toMatchObject({ status: 405, lean: false });

    const notJson = await compare(`/trpc/tenants.get?batch=1&input=%7Bnope`, key());
    expect(notJson).toMatchObject({ status: 400, lean: false });
    const notAnObject = await compare(`/trpc/tenants.get?batch=1&input=%5B1%5D`, key());
    expect(notAnObject.lean).toBe(false);

    const streamed = await compare(`/trpc/tenants.get?batch=1&input=${batchOf({ id: tenantIds[0] })}`, {
      headers: { ...key().headers, "trpc-accept": "application/jsonl" },
    });
    expect(streamed).toMatchObject({ status: 200, lean: false });

    // A mutation by POST (invalid here, so both answers are the same to the byte).
    const mutation = await compare("/trpc/tenants.create?batch=1", {
      method: "POST",
      headers: { ...key().headers, "content-type": "application/json" },
      body: JSON.stringify({ 0: { name: "" } }),
    });
    expect(mutation).toMatchObject({ status: 400, lean: false });
  });

  it("a mutation by POST still succeeds through the adapter", async () => {
    const response = await fetch(`${real.url}/trpc/tenants.create?batch=1`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ 0: { name: "Gamma" } }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as [{ result: { data: { name: string } } }])[0].result.data.name).toBe(
      "Gamma",
    );
  });

  it("@trpc/client reads it: a batch with a failing call, and one call without batching", async () => {
    const batched = createTRPCClient<TenantryRouter>({
      links: [httpBatchLink({ url: `${real.url}/trpc`, headers: { authorization: `Bearer ${apiKey}` } })],
    });
    const [alpha, beta, missing] = await Promise.allSettled([
      batched.tenants.get.query({ id: tenantIds[0]! }),
      batched.tenants.get.query({ id: tenantIds[1]! }),
      batched.tenants.get.query({ id: MISSING }),
    ]);
    expect(alpha).toMatchObject({ status: "fulfilled", value: { name: "Alpha" } });
    expect(beta).toMatchObject({ status: "fulfilled", value: { name: "Beta" } });
    expect(missing.status).toBe("rejected");
    const error = (missing as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error.data).toMatchObject({ httpStatus: 404, appCode: "not_found" });

    const single = createTRPCClient<TenantryRouter>({
      links: [httpLink({ url: `${real.url}/trpc`, headers: { authorization: `Bearer ${apiKey}` } })],
    });
    expect(await single.tenants.get.query({ id: tenantIds[1]! })).toMatchObject({ name: "Beta" });
  });
});
