import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import {
  bootstrapDefaultWorkspace,
  type Clock,
  createApiKey,
  randomKeyring,
  startInvalidationListener,
} from "@tenantry/api/server-runtime";
import type { DatabaseHandle } from "@tenantry/db/database";
import { createTestDatabase } from "@tenantry/db/test-database";
import pino from "pino";
import { createHttpServer } from "../http-server";
import { startWebhookWorker } from "../webhook-worker";
import type { ObservedResponse } from "./documented-statuses";

export interface TestServer {
  url: string;
  apiKey: string;
  workspaceId: string;
  handle: DatabaseHandle;
  /** Every log line the server wrote, as JSON text. */
  logs: string[];
  /** Every answer the server gave, in order (see documented-statuses.ts). */
  responses: ObservedResponse[];
  /** `fetch` against the server with the API key, JSON in and out. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** The real HTTP server over a fresh test database, listening on a free loopback port. */
export async function startTestServer(
  options: {
    bodyLimitBytes?: number;
    consoleDistDir?: string;
    jwksAllowHosts?: ReadonlySet<string>;
    webhookAllowHosts?: ReadonlySet<string>;
    /** Runs the webhook delivery worker as every real server process does (off by default). */
    webhookWorker?: boolean;
    clock?: Clock;
  } = {},
): Promise<TestServer> {
  const handle = await createTestDatabase();
  // As in every server process: caches on, kept fresh by the database's notifications.
  const invalidation = await startInvalidationListener(handle);
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db, {});
  const { key } = await createApiKey(handle.db, { workspaceId, name: "test" });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: "debug" }, sink);
  const state = { db: handle.db, keyring: await randomKeyring() };
  let publicUrl = "http://127.0.0.1:0";
  const server = createHttpServer({
    state,
    logger,
    get publicUrl() {
      return publicUrl;
    },
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    version: "test",
    ...(options.consoleDistDir ? { consoleDistDir: options.consoleDistDir } : {}),
    ...(options.jwksAllowHosts ? { jwksAllowHosts: options.jwksAllowHosts } : {}),
    ...(options.webhookAllowHosts ? { webhookAllowHosts: options.webhookAllowHosts } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const responses: ObservedResponse[] = [];
  server.on("request", (req, res) => {
    res.on("finish", () => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      responses.push({ method: req.method ?? "GET", path, status: res.statusCode });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  publicUrl = url;
  const worker = options.webhookWorker
    ? startWebhookWorker({
        db: handle.db,
        keyring: state.keyring,
        urlPolicy: { allowHosts: options.webhookAllowHosts ?? new Set<string>() },
        logger,
        idleMs: 100,
        ...(options.clock ? { clock: options.clock } : {}),
      })
    : undefined;
  return {
    url,
    apiKey: key,
    workspaceId,
    handle,
    logs,
    responses,
    call(method, path, body, headers = {}) {
      return fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
    },
    async close() {
      await worker?.stop();
      await invalidation.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handle.close();
    },
  };
}
