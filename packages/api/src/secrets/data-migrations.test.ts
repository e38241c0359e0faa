import { createDb } from "@tenantry/db/create-db";
import type { Database } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { dataMigrations } from "@tenantry/db/schema/data-migrations";
import { tenants } from "@tenantry/db/schema/tenants";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { testDriver } from "@tenantry/db/test-database";
import { appSettingsFor, type ProviderProcess, startProviderProcess } from "@tenantry/oauth-provider/process";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../api-keys/service";
import { completeAuthorization, startAuthorization } from "../connections/oauth";
import { failure } from "../testing/expect-error";
import { createHarness, HARNESS_PUBLIC_URL, type Harness } from "../testing/harness";
import {
  formatsOf,
  sealedValues,
  sealTheOldWay,
  seededTenant,
  seedSecrets,
  tokenFor,
} from "../testing/legacy-secrets";
import { runDataMigrations, WORKSPACE_AAD_MIGRATION } from "./data-migrations";
import type { Keyring } from "./keyring";
import { resealSecrets } from "./reseal";

/**
 * The data migration that binds every sealed value to its workspace: rows sealed the old way (format
 * v1, associated data without the workspace) read before, are sealed again, and read after; a run
 * killed half-way leaves everything readable; runs at once (two connection pools, as two processes
 * would have) seal each value exactly once.
 */
const TENANTS = 210; // more than one batch of rows (200)
let h: Harness;
let provider: ProviderProcess;
let seeded: Awaited<ReturnType<typeof seedSecrets>>;

beforeAll(async () => {
  [h, provider] = await Promise.all([createHarness(), startProviderProcess({ autoApprove: true })]);
  seeded = await seedSecrets(h.api, { tenants: TENANTS, oauth2: appSettingsFor(provider) });
}, 180_000);
afterAll(async () => {
  await Promise.all([h?.close(), provider?.stop()]);
});

const notMigrated = () => h.handle.db.delete(dataMigrations);

const browserContext = () => ({
  db: h.handle.db,
  keyring: h.keyring,
  clock: h.clock,
  publicUrl: HARNESS_PUBLIC_URL,
  requestId: "test",
});

/** The browser's part of an OAuth sign-in: open the start URL, approve at the provider. */
async function startSignIn(authorizationUrl: string) {
  const started = await startAuthorization(browserContext(), {
    flow: new URL(authorizationUrl).searchParams.get("flow")!,
  });
  if (started.kind !== "redirect") throw new Error(JSON.stringify(started.result));
  const approved = await fetch(started.location, { redirect: "manual" });
  const back = new URL(approved.headers.get("location")!);
  return {
    code: back.searchParams.get("code")!,
    state: back.searchParams.get("state")!,
    binding: started.nonce,
  };
}
const finishSignIn = (query: Awaited<ReturnType<typeof startSignIn>>) =>
  completeAuthorization(browserContext(), query);

/** Reads every kind of secret the way the API hands it out. */
async function expectEverythingReads(sample: number[] = [0, 1, TENANTS - 1]) {
  for (const i of sample) {
    const id = seeded.tenantIds[i]!;
    expect((await h.api.tenants.credentials({ id })).credentials).toEqual(seededTenant(i).credentials);
    expect((await h.api.tenants.secretFields({ id })).values).toEqual(seededTenant(i).fields);
  }
  expect(await h.api.connections.credentials({ id: seeded.apiKeyConnection.id })).toEqual({
    type: "api_key",
    parameters: { apiKey: "tracker-key-1" },
  });
  expect((await h.api.accessTokens.introspect({ token: await tokenFor(seeded.signingKey) })).active).toBe(
    true,
  );
}

/** Every value opens through the code paths that read it (the format decides which associated data). */
async function expectAllTenantsRead() {
  await expectEverythingReads(Array.from({ length: TENANTS }, (_, i) => i));
}

const killedAfter = (seals: number): Keyring => {
  let count = 0;
  return {
    ...h.keyring,
    seal: async (plaintext, aad) => {
      if (++count > seals) throw new Error("killed");
      return h.keyring.seal(plaintext, aad);
    },
  };
};

describe("the workspace associated data migration", () => {
  it("reads rows sealed the old way, seals them again bound to their workspace, and reads them after", async () => {
    // OAuth attempts with their PKCE verifiers, and tokens of a finished one.
    const tenantId = seeded.tenantIds[1]!;
    const finished = await h.api.connections.create({ tenantId, appKey: "loopback" });
    expect(await finishSignIn(await startSignIn(finished.authorizationUrl!))).toMatchObject({
      status: "connected",
    });
    const before = await h.api.connections.create({ tenantId, appKey: "loopback" });
    const beforeSignIn = await startSignIn(before.authorizationUrl!);
    const across = await h.api.connections.create({ tenantId, appKey: "loopback" });
    const acrossSignIn = await startSignIn(across.authorizationUrl!);

    // A tenant with the same id in another workspace.
    const other = newId("ws");
    await h.handle.db.insert(workspaces).values({ id: other, name: "Other" });
    const otherApi = h.callerWith({
      authorization: `Bearer ${(await createApiKey(h.handle.db, { workspaceId: other, name: "other" })).key}`,
    });
    const twinId = seeded.tenantIds[0]!;
    await otherApi.tenants.create({ id: twinId, name: "Twin", credentials: { password: "twin" } });

    const count = await sealTheOldWay(h.handle.db, h.keyring);
    expect(formatsOf(await sealedValues(h.handle.db))).toEqual({ v1: count });

    // The weakness the migration removes: a legacy value copied to the twin row opens there.
    const copy = async () => {
      const [row] = await h.handle.db
        .select({ sealed: tenants.credentialsSealed })
        .from(tenants)
        .where(and(eq(tenants.workspaceId, h.workspaceId), eq(tenants.id, twinId)));
      await h.handle.db
        .update(tenants)
        .set({ credentialsSealed: row!.sealed })
        .where(and(eq(tenants.workspaceId, other), eq(tenants.id, twinId)));
    };
    const twinSealed = (await sealedValues(h.handle.db)).get(`tenant:${other}:${twinId}:credentials`)!;
    await copy();
    expect((await otherApi.tenants.credentials({ id: twinId })).credentials).toEqual({ password: "p0" });
    await h.handle.db
      .update(tenants)
      .set({ credentialsSealed: twinSealed })
      .where(and(eq(tenants.workspaceId, other), eq(tenants.id, twinId)));

    // Before: every kind opens with its legacy associated data, the OAuth flow included.
    await expectEverythingReads();
    expect(await h.api.connections.credentials({ id: finished.id })).toMatchObject({ type: "oauth2" });
    expect(await finishSignIn(beforeSignIn)).toMatchObject({ status: "connected" });

    const legacy = formatsOf(await sealedValues(h.handle.db)).v1!;
    const [report] = await runDataMigrations(h.handle.db, h.keyring);
    expect(report).toEqual({
      name: WORKSPACE_AAD_MIGRATION,
      ran: true,
      resealed: legacy,
      unreadable: 0,
      completed: true,
    });
    const after = await sealedValues(h.handle.db);
    expect(formatsOf(after)).toEqual({ v2: after.size });

    // After: everything still reads, the OAuth attempt begun before the migration finishes after it.
    await expectAllTenantsRead();
    expect(await h.api.connections.credentials({ id: finished.id })).toMatchObject({ type: "oauth2" });
    expect(await finishSignIn(acrossSignIn)).toMatchObject({ status: "connected" });
    expect((await otherApi.tenants.credentials({ id: twinId })).credentials).toEqual({ password: "twin" });
    // Copied to the twin row in the other workspace, a value no longer opens.
    await copy();
    expect(await failure(otherApi.tenants.credentials({ id: twinId }))).toMatchObject({ status: 500 });
    await h.handle.db
      .update(tenants)
      .set({ credentialsSealed: after.get(`tenant:${other}:${twinId}:credentials`)! })
      .where(and(eq(tenants.workspaceId, other), eq(tenants.id, twinId)));

    // A second run is a no-op: recorded as done, and nothing would be left for it anyway.
    const snapshot = await sealedValues(h.handle.db);
    expect(await runDataMigrations(h.handle.db, h.keyring)).toEqual([
      { name: WORKSPACE_AAD_MIGRATION, ran: false, resealed: 0, unreadable: 0, completed: true },
    ]);
    expect(await resealSecrets(h.handle.db, h.keyring, "legacy")).toEqual({ resealed: 0, unreadable: 0 });
    expect(await sealedValues(h.handle.db)).toEqual(snapshot);
  });

  it("killed half-way, leaves every row readable (old and new side by side), and the next run finishes", async () => {
    await notMigrated();
    const count = await sealTheOldWay(h.handle.db, h.keyring);
    // Killed in the second batch of tenant rows: the first (200 rows, 400 values) is committed.
    await expect(runDataMigrations(h.handle.db, killedAfter(410))).rejects.toThrow("killed");
    const half = formatsOf(await sealedValues(h.handle.db));
    expect(half.v2).toBeGreaterThan(0);
    expect(half.v1).toBeGreaterThan(0);
    expect(half.v1! + half.v2!).toBe(count);
    expect(await h.handle.db.select().from(dataMigrations)).toEqual([]);
    await expectAllTenantsRead();

    const remaining = formatsOf(await sealedValues(h.handle.db)).v1!;
    const [report] = await runDataMigrations(h.handle.db, h.keyring);
    expect(report).toMatchObject({ ran: true, resealed: remaining, unreadable: 0, completed: true });
    expect(formatsOf(await sealedValues(h.handle.db))).toEqual({ v2: count });
    await expectAllTenantsRead();
  });

  it("run by two processes at once, seals each value exactly once; writes meanwhile are kept", async () => {
    const url = (h.handle as { url?: string }).url;
    // Two connection pools on one PostgreSQL, as two server processes would have. PGlite belongs to
    // one process: there the two runs share it.
    const second = testDriver() === "postgres" ? await createDb({ databaseUrl: url!, poolSize: 5 }) : null;
    const otherDb: Database = second?.db ?? h.handle.db;
    try {
      await notMigrated();
      const count = await sealTheOldWay(h.handle.db, h.keyring);
      const runs = await Promise.all([
        runDataMigrations(h.handle.db, h.keyring),
        runDataMigrations(otherDb, h.keyring),
      ]);
      const reports = runs.flat();
      expect(reports.every((r) => r.completed && r.unreadable === 0)).toBe(true);
      expect(reports.reduce((sum, r) => sum + r.resealed, 0)).toBe(count);
      expect(formatsOf(await sealedValues(h.handle.db))).toEqual({ v2: count });
      expect(await h.handle.db.select({ name: dataMigrations.name }).from(dataMigrations)).toEqual([
        { name: WORKSPACE_AAD_MIGRATION },
      ]);
      await expectAllTenantsRead();

      // Again, with tenants changing their credentials while both runs go through the rows.
      await notMigrated();
      await sealTheOldWay(h.handle.db, h.keyring);
      const changed = [3, 50, 120, 201, 209];
      await Promise.all([
        runDataMigrations(h.handle.db, h.keyring),
        runDataMigrations(otherDb, h.keyring),
        ...changed.map((i) =>
          h.api.tenants.patch({ id: seeded.tenantIds[i]!, credentials: { password: `changed-${i}` } }),
        ),
      ]);
      expect(formatsOf(await sealedValues(h.handle.db)).v1).toBeUndefined();
      for (const i of changed) {
        expect((await h.api.tenants.credentials({ id: seeded.tenantIds[i]! })).credentials).toEqual({
          password: `changed-${i}`,
        });
        await h.api.tenants.patch({ id: seeded.tenantIds[i]!, credentials: seededTenant(i).credentials });
      }
      await expectAllTenantsRead();
    } finally {
      await second?.close();
    }
  });
});
