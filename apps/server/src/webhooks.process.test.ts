import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { TenantryEvent } from "@tenantry/contracts/events";
import { testDriver, withDatabase } from "@tenantry/db/test-database";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerRun, startServerProcess } from "./testing/server-process";

/**
 * Two real server processes on one PostgreSQL database share webhook delivery: a real receiver on
 * loopback verifies every signature, sees no message twice at once and each tenant's events in
 * order, also when one process is killed (SIGKILL) in the middle of a burst and started again.
 */
const ENCRYPTION_KEY = Buffer.alloc(32, 9).toString("base64");
const KEY = `tnt_sk_${"w".repeat(40)}`;
const TIMEOUT = 240_000;

describe.runIf(testDriver() === "postgres")("webhook delivery across processes", () => {
  const name = `tenantry_hooks_${Math.random().toString(36).slice(2, 10)}`;
  let admin: ReturnType<typeof postgres>;
  let databaseUrl: string;
  let receiver: Server;
  let receiverUrl: string;
  let secret = "";
  const servers: (ServerRun & { url: string })[] = [];
  const received: { id: string; event: TenantryEvent }[] = [];
  const problems: string[] = [];
  const inFlightIds = new Set<string>();
  const inFlightTenants = new Set<string>();

  beforeAll(async () => {
    admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    databaseUrl = withDatabase(process.env.DATABASE_URL!, name);
    receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const payload = Buffer.concat(chunks).toString();
      const id = String(req.headers["webhook-id"]);
      let event: TenantryEvent;
      try {
        event = new Webhook(secret).verify(payload, {
          "webhook-id": id,
          "webhook-timestamp": String(req.headers["webhook-timestamp"]),
          "webhook-signature": String(req.headers["webhook-signature"]),
        }) as TenantryEvent;
      } catch (error) {
        problems.push(`bad signature on ${id}: ${(error as Error).message}`);
        res.writeHead(400).end();
        return;
      }
      const tenant = event.tenantId ?? "";
      if (inFlightIds.has(id)) problems.push(`${id} sent twice at once`);
      if (inFlightTenants.has(tenant)) problems.push(`two of ${tenant}'s events at once`);
      inFlightIds.add(id);
      inFlightTenants.add(tenant);
      // The receiver's own work takes a moment, so overlapping sends would show.
      await new Promise((resolve) => setTimeout(resolve, 15));
      inFlightIds.delete(id);
      inFlightTenants.delete(tenant);
      received.push({ id, event });
      res.writeHead(204).end();
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const server of servers) {
      if (server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill("SIGTERM");
        await server.exited;
      }
    }
    receiver?.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  });

  const env = () => ({
    DATABASE_URL: databaseUrl,
    TENANTRY_BOOTSTRAP_API_KEY: KEY,
    TENANTRY_ENCRYPTION_KEY: ENCRYPTION_KEY,
    TENANTRY_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
  });
  const call = (server: { url: string }, method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it(
    "delivers every committed change's event, verified, in order per tenant, never twice at once",
    async () => {
      servers.push(await startServerProcess(env()), await startServerProcess(env()));
      const created = await call(servers[0]!, "POST", "/webhook-endpoints", { url: `${receiverUrl}/hook` });
      expect(created.status).toBe(201);
      secret = ((await created.json()) as { secret: string }).secret;

      // A burst over both processes; process 0 is killed in the middle of it and started again.
      const tenants: string[] = [];
      for (let i = 0; i < 8; i++) {
        const answer = await call(servers[i % 2]!, "POST", "/tenants", { name: `Burst ${i}` });
        tenants.push(((await answer.json()) as { id: string }).id);
      }
      const changes = tenants.flatMap((id, i) =>
        Array.from(
          { length: 5 },
          (_, j) => () =>
            call(servers[(i + j) % 2]!, "PATCH", `/tenants/${id}`, { name: `Burst ${i}.${j}` }).catch(
              () => null,
            ),
        ),
      );
      const burst = Promise.all(changes.map((change) => change()));
      while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      servers[0]!.child.kill("SIGKILL");
      await servers[0]!.exited;
      await burst;
      servers[0] = await startServerProcess(env());

      // Every committed change has exactly one event …
      const db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      const [counts] = await db`select
          (select count(*) from activity_log where action in ('tenant.created', 'tenant.updated')) as changes,
          (select count(*) from events where type in ('tenant.created', 'tenant.updated')) as events`;
      const all = await db<{ id: string }[]>`select id from events order by id`;
      await db.end({ timeout: 5 });
      expect(Number(counts!.events)).toBe(Number(counts!.changes));

      // … and every event reaches the receiver (poll until it has them all).
      const deadline = Date.now() + 120_000;
      const ids = () => new Set(received.map((item) => item.id));
      while (all.some((row) => !ids().has(row.id)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(all.filter((row) => !ids().has(row.id))).toEqual([]);
      expect(problems).toEqual([]);
      for (const tenantId of tenants) {
        const firstSeen = [
          ...new Map(
            received.filter((item) => item.event.tenantId === tenantId).map((item) => [item.id, item]),
          ).keys(),
        ];
        expect(firstSeen).toEqual([...firstSeen].sort());
      }
    },
    TIMEOUT,
  );
});
