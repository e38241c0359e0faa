import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createOperator } from "@tenantry/api/operators";
import { bootstrapDefaultWorkspace } from "@tenantry/api/server-runtime";
import { createDb } from "@tenantry/db/create-db";
import type { Database } from "@tenantry/db/database";
import { activityLog } from "@tenantry/db/schema/activity";
import { operators } from "@tenantry/db/schema/operators";
import { createTestDatabase, testDriver } from "@tenantry/db/test-database";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The operator commands of `pnpm tenantry`, run as the processes an operator runs. Starting one
 * takes seconds, so this runs once per test run: on PostgreSQL when DATABASE_URL is set (commands
 * at once, as several terminals would), else on a PGlite data directory (one after the other, as its
 * lock demands). The lifecycle itself is tested on both databases over HTTP (operators.http.test.ts).
 */
const serverDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const onPostgres = testDriver() === "postgres";
const runsHere = testDriver() === (process.env.DATABASE_URL ? "postgres" : "pglite");

let env: Record<string, string>;
let cleanUp: () => Promise<void> = async () => {};
/** Opens the database the commands use, for the test to look into (PGlite: only between commands). */
let inspect: <T>(look: (db: Database) => Promise<T>) => Promise<T>;

beforeAll(async () => {
  if (!runsHere) return;
  if (onPostgres) {
    const handle = await createTestDatabase();
    env = { DATABASE_URL: handle.url! };
    cleanUp = () => handle.close();
    inspect = (look) => look(handle.db);
  } else {
    const dataDir = mkdtempSync(join(tmpdir(), "tenantry-operators-cli-"));
    env = { TENANTRY_DATA_DIR: dataDir };
    cleanUp = async () => rmSync(dataDir, { recursive: true, force: true });
    inspect = async (look) => {
      const handle = await createDb({ dataDir });
      try {
        return await look(handle.db);
      } finally {
        await handle.close();
      }
    };
  }
  await inspect(async (db) => {
    const { workspaceId } = await bootstrapDefaultWorkspace(db, {});
    for (const name of ["ada", "bob", "carol", "dave", "erin"]) {
      await createOperator(db, { workspaceId, email: `${name}@host.example`, name, passwordHash: "x" });
    }
    // Only Ada and Bob are active.
    for (const name of ["carol", "dave", "erin"]) {
      await db.update(operators).set({ disabledAt: new Date() }).where(eq(operators.name, name));
    }
  });
}, 120_000);
afterAll(() => cleanUp());

interface Run {
  code: number | null;
  out: string;
  err: string;
}

async function tenantry(args: string[], stdin = ""): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, LOG_LEVEL: "warn", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr.on("data", (chunk) => {
    err += chunk;
  });
  child.stdin.end(stdin);
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, out, err };
}

/** At once on PostgreSQL; one after the other on PGlite, whose data directory takes one process. */
async function together(runs: (() => Promise<Run>)[]): Promise<Run[]> {
  if (onPostgres) return Promise.all(runs.map((run) => run()));
  const results: Run[] = [];
  for (const run of runs) results.push(await run());
  return results;
}

describe.runIf(runsHere)("operator commands", () => {
  it("disable, enable, reset, revoke and remove by email, and never the last active operator", async () => {
    const [disabled, enabled, reset, chosen, revoked, missing] = await together([
      () => tenantry(["disable-operator", "--email", "BOB@host.example"]),
      () => tenantry(["enable-operator", "--email", "carol@host.example"]),
      () => tenantry(["reset-operator-password", "--email", "carol@host.example"]),
      () => tenantry(["reset-operator-password", "--email", "dave@host.example"], "a passphrase of dave's\n"),
      () => tenantry(["revoke-operator-sessions", "--email", "erin@host.example"]),
      () => tenantry(["enable-operator", "--email", "nobody@host.example"]),
    ]);
    expect(disabled).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Disabled operator op_\S+ \(bob@/),
    });
    expect(enabled).toMatchObject({ code: 0, out: expect.stringContaining("Enabled operator") });
    expect(reset!.code).toBe(0);
    // The temporary password, once, on its own line.
    expect(reset!.out).toMatch(/shown only this once[^\n]*\n\n {4}[\w-]{24}\n/);
    expect(chosen).toMatchObject({ code: 0, out: expect.stringContaining("Set a new password") });
    expect(chosen!.out).not.toContain("passphrase");
    expect(revoked).toMatchObject({ code: 0, out: expect.stringContaining("Ended 0 session(s)") });
    expect(missing).toMatchObject({
      code: 1,
      err: "tenantry: no operator has the email nobody@host.example\n",
    });

    // Ada and Carol are the active ones now: two terminals disabling both at once leave one.
    const [ada, carol, removed] = await together([
      () => tenantry(["disable-operator", "--email", "ada@host.example"]),
      () => tenantry(["disable-operator", "--email", "carol@host.example"]),
      () => tenantry(["remove-operator", "--email", "bob@host.example"]),
    ]);
    expect([ada!.code, carol!.code].sort()).toEqual([0, 1]);
    expect(`${ada!.err}${carol!.err}`).toMatch(
      /^tenantry: \w+@host\.example is the workspace's last active operator/,
    );
    expect(removed).toMatchObject({ code: 0, out: expect.stringContaining("Removed operator") });

    const { rows, log } = await inspect(async (db) => ({
      rows: await db.select().from(operators),
      log: await db.select().from(activityLog),
    }));
    const byName = new Map(rows.map((row) => [row.name, row]));
    expect(byName.has("bob")).toBe(false);
    expect(rows.filter((row) => row.disabledAt === null)).toHaveLength(1);
    expect(byName.get("carol")).toMatchObject({ passwordHash: null });
    expect(byName.get("carol")!.temporaryPasswordHash).toMatch(/^[0-9a-f]{64}$/);
    expect(byName.get("dave")!.passwordHash).toMatch(/^\$argon2id\$/);
    // Every change names the command line as its actor.
    expect(log.filter((entry) => entry.action.startsWith("operator.")).map((entry) => entry.actorId)).toEqual(
      Array(7).fill("cli"),
    );
  }, 180_000);
});
