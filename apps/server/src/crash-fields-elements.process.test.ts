import { createDb } from "@tenantry/db/create-db";
import { rowsOf } from "@tenantry/db/database";
import { testDriver } from "@tenantry/db/test-database";
import { type SQL, sql } from "drizzle-orm";
import postgres from "postgres";
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
 * Kill -9 during a field schema change that seals every tenant's plain value of a field made secret,
 * and during a burst of element deploys racing a template change (issue 18). After each kill, before
 * anything is retried, the database shows the schema change whole or not at all (every tenant's
 * value sealed under the schema version that committed, or every one still plain), and no instance
 * half deployed; the retries then answer what the client would have got.
 */
const TIMEOUT = 240_000;
const seed = crashSeed();
/** Tenants written straight into the database, so the sealing transaction lasts long enough to cut. */
const BULK = 1100;
const FIELDS = ["f0", "f1"] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`kill -9 during re-sealing and element deploys (${testDriver()}, seed ${seed})`, () => {
  const next = seededRandom(seed);
  let database: CrashDatabase;
  let server: CrashServer;
  const caller = () => apiCaller(server.url, CRASH_KEY);

  /** Runs queries on the database while no server runs on it (PGlite allows one process). */
  async function inspect<T>(work: (query: <R>(q: SQL) => Promise<R[]>) => Promise<T>): Promise<T> {
    const { databaseUrl, dataDir } = database;
    const handle = await createDb(databaseUrl ? { databaseUrl } : { dataDir });
    try {
      return await work(async <R>(q: SQL) => rowsOf<R>(await handle.db.execute(q)));
    } finally {
      await handle.close();
    }
  }

  async function stop() {
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  }

  /** Sends one request and kills the server once `due` resolves; its answer, when it came first. */
  async function killDuring(
    send: () => Promise<ApiAnswer>,
    due: (answered: () => boolean) => Promise<unknown>,
  ): Promise<ApiAnswer | null> {
    const running = server;
    let answered = false;
    const sent = send().then(
      (answer) => answer,
      () => null,
    );
    void sent.then(() => {
      answered = true;
    });
    await Promise.race([due(() => answered), sent]);
    await database.kill(running);
    return sent;
  }

  /**
   * PostgreSQL shows the server's session: resolves once it is inside the sealing transaction with
   * a first batch of tenants written (its last statement the batch UPDATE, the transaction open).
   */
  async function firstBatchWritten(answered: () => boolean): Promise<string> {
    const watcher = postgres(database.databaseUrl!, { max: 1, onnotice: () => {} });
    try {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        if (answered()) return "missed: answered first";
        const [row] = await watcher<{ state: string }[]>`
          select state from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()
            and xact_start is not null and query like '%jsonb_to_recordset%'`;
        if (row) return row.state;
        await sleep(2);
      }
      throw new Error("the sealing transaction never showed");
    } finally {
      await watcher.end({ timeout: 1 });
    }
  }

  beforeAll(async () => {
    database = await openCrashDatabase("crash-fields");
    server = await database.start();
  }, TIMEOUT);

  afterAll(async () => {
    await database?.close();
  });

  const schemaWithSecret = (secret: number) => ({
    type: "object",
    properties: Object.fromEntries(
      FIELDS.map((name, i) => [name, { type: "string", ...(i < secret ? { writeOnly: true } : {}) }]),
    ),
  });

  it(
    "a schema change that seals every tenant's value commits whole or not at all",
    async () => {
      await caller().api("PUT", "/tenant-field-schema", { schema: schemaWithSecret(0) });
      const sampled: string[] = [];
      for (let i = 0; i < 8; i++) {
        const tenant = await caller().api<{ id: string }>("POST", "/tenants", {
          name: `Sampled ${i}`,
          fields: Object.fromEntries(FIELDS.map((name) => [name, `${name}-sampled-${i}`])),
        });
        sampled.push(tenant.id);
      }
      await stop();
      // The rest straight into the database: copies of one tenant with their own plain values.
      await inspect(async (query) => {
        await query(sql`
          insert into tenants (workspace_id, id, internal_id, name, slug, scope_id, fields)
          select t.workspace_id, 'ten_bulk' || g, 'bulk-' || g, 'Bulk ' || g, 'bulk-' || g, t.scope_id,
            jsonb_build_object('f0', 'f0-bulk-' || g, 'f1', 'f1-bulk-' || g)
          from tenants t, generate_series(1, ${BULK}) g
          where t.id = ${sampled[0]!}`);
      });
      const total = BULK + sampled.length;
      server = await database.start();

      // Each round makes one more field secret. On PostgreSQL the first kill lands inside the
      // transaction, after its first batch; otherwise at a seeded moment, the second one within the
      // time the previous retry took.
      let took = 300;
      for (let round = 0; round < FIELDS.length; round++) {
        const field = FIELDS[round]!;
        const schema = schemaWithSecret(round + 1);
        const before = await caller().api<{ version: number }>("GET", "/tenant-field-schema");
        const delayMs = Math.round(20 + took * (round === 0 ? next() : 0.2 + 0.7 * next()));
        const observed = round === 0 && testDriver() === "postgres";
        let seen = "";
        const answer = await killDuring(
          () => caller().call("PUT", "/tenant-field-schema", { schema }),
          async (answered) => {
            if (!observed) return sleep(delayMs);
            seen = await firstBatchWritten(answered);
          },
        );
        const when = observed ? `inside the transaction (${seen})` : `after ${delayMs} ms`;

        const state = await inspect(async (query) => {
          const [row] = await query<{ version: number; schema: typeof schema }>(
            sql`select version, schema from tenant_field_schemas`,
          );
          const [counts] = await query<{ plain: number | string; sealed: number | string }>(sql`
            select count(*) filter (where fields ? ${field}) as plain,
                   count(*) filter (where secret_fields ? ${field}) as sealed
            from tenants`);
          const [logged] = await query<{ count: number | string }>(sql`
            select count(*) as count from activity_log
            where action = 'tenant.fields_updated'
              and changes -> 'after' ->> 'fieldSchemaVersion' = ${String(before.version + 1)}`);
          return {
            committed: row!.version === before.version + 1,
            writeOnly: Boolean((row!.schema.properties[field] as { writeOnly?: boolean }).writeOnly),
            plain: Number(counts!.plain),
            sealed: Number(counts!.sealed),
            logged: Number(logged!.count),
          };
        });
        console.log(
          `round ${round} (kill ${when}, last retry took ${Math.round(took)} ms): ${answer ? `answered ${answer.status}` : "no answer"}, ${state.committed ? "committed" : "rolled back"}`,
        );
        // Whole or nothing: the schema, every tenant's value and every activity entry together.
        expect(state).toEqual(
          state.committed
            ? { committed: true, writeOnly: true, plain: 0, sealed: total, logged: total }
            : { committed: false, writeOnly: false, plain: total, sealed: 0, logged: 0 },
        );
        if (answer) {
          expect(answer.status).toBe(200);
          expect(state.committed).toBe(true);
        }

        server = await database.start();
        // The client retries: it gets the schema it sent, whichever attempt sealed the values.
        const started = performance.now();
        const retry = await caller().call("PUT", "/tenant-field-schema", { schema });
        took = performance.now() - started;
        expect(retry.status).toBe(200);
        expect(retry.body).toMatchObject({ schema, tenantsNotFitting: 0 });
        if (answer) expect(answer.body).toMatchObject({ schema, tenantsNotFitting: 0 });
        for (const [i, id] of sampled.entries()) {
          const secrets = await caller().api<{ values: Record<string, string> }>(
            "GET",
            `/tenants/${id}/secret-fields`,
          );
          expect(secrets.values[field]).toBe(`${field}-sampled-${i}`);
          const read = await caller().api<{ fields: Record<string, unknown> }>("GET", `/tenants/${id}`);
          expect(read.fields[field]).toBeUndefined();
        }
      }
      await stop();
      const left = await inspect((query) =>
        query<{ count: number | string }>(sql`
            select count(*) as count from tenants where fields ?| array['f0', 'f1']`),
      );
      expect(Number(left[0]!.count)).toBe(0);
      server = await database.start();
    },
    TIMEOUT,
  );

  it(
    "an element deploy burst racing a template change leaves each instance deployed once, on one revision",
    async () => {
      const template = await caller().api<{ id: string; revision: number }>("POST", "/element-templates", {
        type: "action",
        key: "create-ticket",
        name: "Create ticket",
        definition: { priority: "normal", queue: "support" },
        configSchema: {
          type: "object",
          properties: { priority: { type: "string" }, queue: { type: "string" } },
        },
      });
      const tenants = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          caller().api<{ id: string }>("POST", "/tenants", { name: `Deploy ${i}` }),
        ),
      );
      const deploys = tenants.map((tenant) => ({
        path: `/tenants/${tenant.id}/elements/deploy`,
        body: { type: "action", key: "create-ticket" },
        answer: null as ApiAnswer | null,
      }));
      const change = {
        path: `/element-templates/${template.id}`,
        body: { revision: template.revision, definition: { priority: "high", queue: "helpdesk" } },
        answer: null as ApiAnswer | null,
      };
      const killAfter = 1 + Math.floor(next() * (deploys.length - 1));
      const running = server;
      let answered = 0;
      let reached: () => void = () => {};
      const enough = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const all = [...deploys.map((d) => ({ ...d, method: "POST" })), { ...change, method: "PATCH" }];
      const sent = all.map((write, i) =>
        caller()
          .call(write.method, write.path, write.body)
          .then(
            (answer) => {
              if (i < deploys.length) deploys[i]!.answer = answer;
              else change.answer = answer;
              if (++answered >= killAfter) reached();
            },
            () => undefined,
          ),
      );
      // Whichever comes first: a seeded number of answers, or a seeded delay (a kill at any
      // statement of the deploys' transactions, not only between answers).
      const delayMs = Math.round(next() * 250);
      await Promise.race([enough, sleep(delayMs), Promise.all(sent)]);
      await database.kill(running);
      await Promise.all(sent);
      console.log(
        `deploys: ${answered}/${all.length} answered before the kill (after ${killAfter} answers or ${delayMs} ms)`,
      );

      const state = await inspect(async (query) => {
        const instances = await query<{ tenant_id: string; id: string; setup_state: string }>(sql`
          select tenant_id, id, setup_state from element_instances where template_id = ${template.id}`);
        const deployed = await query<{ target_id: string; count: number | string }>(sql`
          select target_id, count(*) as count from activity_log
          where action = 'element.deployed' group by target_id`);
        const [row] = await query<{ revision: number; definition: Record<string, string> }>(sql`
          select revision, definition from element_templates where id = ${template.id}`);
        return { instances, deployed, template: row! };
      });
      // No instance half deployed: each exists only with its deploy, logged once.
      const byInstance = new Map(state.deployed.map((d) => [d.target_id, Number(d.count)]));
      for (const instance of state.instances) {
        expect(instance.setup_state).toBe("ready");
        expect(byInstance.get(instance.id)).toBe(1);
      }
      expect(new Set(state.instances.map((i) => i.tenant_id)).size).toBe(state.instances.length);
      for (const d of deploys) {
        if (d.answer) {
          expect(d.answer.status).toBe(200);
          expect(state.instances.map((i) => i.id)).toContain((d.answer.body as { id: string }).id);
        }
      }
      // The template is one revision or the other, whole.
      expect([
        { revision: 1, definition: { priority: "normal", queue: "support" } },
        { revision: 2, definition: { priority: "high", queue: "helpdesk" } },
      ]).toContainEqual(state.template);
      if (change.answer) expect(state.template.revision).toBe(2);

      server = await database.start();
      // Retries: a deploy that had answered answers the same instance; the change is made or
      // refused as stale (the revision the client sent is gone), never half.
      for (const d of deploys) {
        const retry = await caller().call("POST", d.path, d.body);
        expect(retry.status).toBe(200);
        if (d.answer) expect((retry.body as { id: string }).id).toBe((d.answer.body as { id: string }).id);
      }
      const retry = await caller().call("PATCH", change.path, change.body);
      if (state.template.revision === 2) {
        expect(retry).toMatchObject({ status: 409, body: { code: "version_conflict", currentRevision: 2 } });
      } else {
        expect(retry.status).toBe(200);
      }
      for (const tenant of tenants) {
        const items = await caller().api<{ items: { config: Record<string, string>; state: string }[] }>(
          "GET",
          `/tenants/${tenant.id}/elements?type=action`,
        );
        expect(items.items).toHaveLength(1);
        expect(items.items[0]).toMatchObject({
          state: "ready",
          config: { priority: "high", queue: "helpdesk" },
        });
      }
    },
    TIMEOUT,
  );
});
