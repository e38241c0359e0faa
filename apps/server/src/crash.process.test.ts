import { createDb } from "@tenantry/db/create-db";
import { rowsOf } from "@tenantry/db/database";
import { testDriver } from "@tenantry/db/test-database";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CRASH_KEY,
  type CrashDatabase,
  type CrashServer,
  crashSeed,
  openCrashDatabase,
  seededRandom,
} from "./testing/crash-database";
import { type ApiAnswer, apiCaller } from "./testing/server-process";

/**
 * Kill -9 in the middle of writes (issue 18): the real server process takes a burst of concurrent
 * writes, dies by SIGKILL at a chosen or a seeded random moment, starts again on the same database
 * (on PGlite: the same data directory, whose lock the dead process left behind), and then
 *
 * - every request of the burst is retried as a client would retry it: an idempotent one answers
 *   exactly what it answered before the kill, when it had answered;
 * - invariants hold: every tenant has an active owner, every usage record with a key counted once,
 *   each counter equal to the sum of its buckets, no membership twice.
 */
const TIMEOUT = 240_000;
const seed = crashSeed();

type Server = CrashServer;
type Answer = ApiAnswer;

/** One write of a burst: what it sends, and whether a retry must repeat its first answer. */
interface Write {
  method: string;
  path: string;
  body: unknown;
  headers?: Record<string, string>;
  idempotent: boolean;
  answer?: Answer;
}

const call = (server: Server, write: Pick<Write, "method" | "path" | "body" | "headers">) =>
  apiCaller(server.url, CRASH_KEY).call(write.method, write.path, write.body, write.headers);

const api = <T>(server: Server, method: string, path: string, body?: unknown) =>
  apiCaller(server.url, CRASH_KEY).api<T>(method, path, body);

/** Fields that legitimately differ between a first answer and its replay: none today. */
const comparable = (answer: Answer) => ({ status: answer.status, body: answer.body });

describe(`kill -9 in the middle of writes (${testDriver()}, seed ${seed})`, () => {
  const next = seededRandom(seed);
  let database: CrashDatabase;
  let server: Server | undefined;

  beforeAll(async () => {
    database = await openCrashDatabase("crash");
  }, TIMEOUT);

  afterAll(async () => {
    await database?.close();
  });

  it(
    "loses nothing committed, repeats every idempotent answer and keeps the invariants",
    async () => {
      server = await database.start();
      await api(server, "PUT", "/usage-metrics/api_calls", { key: "api_calls", defaultLimit: null });
      const hot = await api<{ id: string }>(server, "POST", "/tenants", {
        name: "Hot",
        owner: { email: "hot-owner@crash.example" },
      });

      const roles = await api<{ items: { id: string; key: string }[] }>(server, "GET", "/roles");
      const adminRole = roles.items.find((role) => role.key === "admin")!;
      const bursts: Write[][] = [];
      for (let round = 0; round < 3; round++) {
        // Tenants to work on in this round, created before the burst.
        const targets = await Promise.all(
          Array.from({ length: 3 }, (_, i) =>
            api<{ id: string; ownerUserId: string }>(server!, "POST", "/tenants", {
              name: `Round ${round} target ${i}`,
              owner: { email: `owner-${round}-${i}@crash.example` },
            }),
          ),
        );
        const heirs = await Promise.all(
          targets.map((tenant, i) =>
            api<{ userId: string }>(server!, "POST", `/tenants/${tenant.id}/memberships`, {
              email: `heir-${round}-${i}@crash.example`,
              status: "active",
            }),
          ),
        );

        const invitees = await Promise.all(
          targets.map((tenant, i) =>
            api<{ userId: string; invitation: { token: string } }>(
              server!,
              "POST",
              `/tenants/${tenant.id}/memberships`,
              { email: `invitee-${round}-${i}@crash.example` },
            ),
          ),
        );

        const burst: Write[] = [
          ...Array.from({ length: 8 }, (_, i) => ({
            method: "POST",
            path: "/tenants",
            body: { name: `Burst ${round}.${i}`, owner: { email: `burst-${round}-${i}@crash.example` } },
            headers: { "idempotency-key": `create-${round}-${i}` },
            idempotent: true,
          })),
          ...Array.from({ length: 24 }, (_, i) => ({
            method: "POST",
            path: `/tenants/${hot.id}/usage`,
            body: { metric: "api_calls", amount: 1 + (i % 3), idempotencyKey: `usage-${round}-${i}` },
            idempotent: true,
          })),
          ...targets.map((tenant, i) => ({
            method: "POST",
            path: `/tenants/${tenant.id}/ownership-transfer`,
            body: { toUserId: heirs[i]!.userId },
            idempotent: false,
          })),
          ...invitees.map((invitee) => ({
            method: "POST",
            path: "/invitations/accept",
            body: { token: invitee.invitation.token },
            idempotent: false,
          })),
          ...targets.map((tenant, i) => ({
            method: "POST",
            path: `/tenants/${tenant.id}/role-bindings`,
            body: { roleId: adminRole.id, subject: { type: "user", id: invitees[i]!.userId } },
            idempotent: false,
          })),
          ...targets.map((tenant, i) => ({
            method: "POST",
            path: `/tenants/${tenant.id}/memberships`,
            body: { email: `joiner-${round}-${i}@crash.example`, status: "active", roles: ["admin"] },
            idempotent: false,
          })),
        ];
        bursts.push(burst);

        // Each round dies after a number of answers: the first, half of the burst, then a seeded
        // random count — so the kill lands mid-burst whatever the machine's speed.
        const killAfter = [1, burst.length / 2, 1 + Math.floor(next() * (burst.length - 2))][round]!;
        const running = server;
        let answered = 0;
        let reached: () => void = () => {};
        const enough = new Promise<void>((resolve) => {
          reached = resolve;
        });
        const sent = burst.map((write) =>
          call(running, write).then(
            (answer) => {
              write.answer = answer;
              if (++answered >= killAfter) reached();
            },
            () => undefined, // the connection died with the process
          ),
        );
        await Promise.race([enough, Promise.all(sent)]);
        await database.kill(running);
        await Promise.all(sent);
        console.log(
          `round ${round}: ${burst.filter((w) => w.answer).length}/${burst.length} answered before the kill`,
        );

        // The dead process left its lock (PGlite) and whatever it had in flight.
        server = await database.start();
        for (const write of burst) {
          const retry = await call(server, write);
          if (write.idempotent && write.answer) {
            expect(comparable(retry), `${write.method} ${write.path} replay`).toEqual(
              comparable(write.answer),
            );
          }
          expect(retry.status, `${write.method} ${write.path} retry`).toBeLessThan(500);
          if (write.idempotent) expect(retry.status, `${write.method} ${write.path}`).toBeLessThan(300);
          write.answer ??= retry;
        }
        // A transfer that had committed and is retried leaves the heir the owner, whatever it answers.
        for (const [i, tenant] of targets.entries()) {
          const owners = await api<{ items: { userId: string; roles: string[] }[] }>(
            server,
            "GET",
            `/tenants/${tenant.id}/memberships?status=active`,
          );
          // The invitation accepted once, the role bound once, whichever attempt did it.
          expect(owners.items.filter((member) => member.userId === invitees[i]!.userId)).toHaveLength(1);
          const bindings = await api<{ items: { roleId: string }[] }>(
            server,
            "GET",
            `/tenants/${tenant.id}/role-bindings?subjectType=user&subjectId=${invitees[i]!.userId}`,
          );
          expect(bindings.items.filter((binding) => binding.roleId === adminRole.id)).toHaveLength(1);
          expect(
            owners.items.filter((member) => member.roles.includes("owner")).map((m) => m.userId),
          ).toContain(heirs[i]!.userId);
        }
      }

      // Usage: every keyed record counted exactly once.
      const expectedUsage = bursts
        .flat()
        .filter((write) => write.path.endsWith("/usage"))
        .reduce((sum, write) => sum + (write.body as { amount: number }).amount, 0);
      const usage = await api<{ used: number }>(server, "GET", `/tenants/${hot.id}/usage/api_calls`);
      expect(usage.used).toBe(expectedUsage);

      // Every tenant has an active owner, with no membership twice.
      const tenants = await api<{ items: { id: string }[] }>(server, "GET", "/tenants?limit=100");
      expect(tenants.items.length).toBe(1 + 3 * 3 + 3 * 8);
      for (const tenant of tenants.items) {
        const members = await api<{ items: { userId: string; roles: string[] }[] }>(
          server,
          "GET",
          `/tenants/${tenant.id}/memberships?status=active&limit=100`,
        );
        expect(
          members.items.some((member) => member.roles.includes("owner")),
          tenant.id,
        ).toBe(true);
        const ids = members.items.map((member) => member.userId);
        expect(new Set(ids).size).toBe(ids.length);
      }

      // The database itself, after a clean stop: counters equal their buckets, nothing half-written.
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      server = undefined;
      const { databaseUrl, dataDir } = database;
      const handle = await createDb(databaseUrl ? { databaseUrl } : { dataDir });
      try {
        const drift = rowsOf<{ tenant_id: string }>(
          await handle.db.execute(sql`
            select c.tenant_id from usage_counters c
            where c.total <> (
              select coalesce(sum(b.amount), 0) from usage_buckets b
              where b.workspace_id = c.workspace_id and b.tenant_id = c.tenant_id
                and b.metric = c.metric and b.hour >= c.window_start
            )`),
        );
        expect(drift).toEqual([]);
        const keys = rowsOf<{ count: number | string }>(
          await handle.db.execute(sql`select count(*) as count from usage_idempotency_keys`),
        );
        expect(Number(keys[0]!.count)).toBe(3 * 24);
      } finally {
        await handle.close();
      }
    },
    TIMEOUT,
  );
});
