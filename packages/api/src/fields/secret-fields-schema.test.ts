import { newId } from "@tenantry/db/ids";
import { activityLog } from "@tenantry/db/schema/activity";
import { scopes } from "@tenantry/db/schema/scopes";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../testing/harness";
import { SEAL_BATCH } from "./service";

/**
 * A field the schema makes secret is sealed by the schema change itself, in every tenant, in the
 * same transaction: no viewer reads the plain copy afterwards, whatever raced with the change.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const unique = () => Math.random().toString(36).slice(2, 10);

function schemaWith(secret: boolean) {
  return {
    type: "object",
    properties: {
      region: { type: "string", enum: ["eu", "us"], title: "Region" },
      apiToken: { type: "string", minLength: 8, title: "API token", ...(secret ? { writeOnly: true } : {}) },
      // Secret fields are strings: a plain number made secret is sealed as it is stored.
      pin: secret ? { type: "string", writeOnly: true } : { type: "integer" },
    },
  };
}

async function rawRow(id: string) {
  const [row] = await h.handle.db.select().from(tenants).where(eq(tenants.id, id));
  return row!;
}

async function activityOf(tenantId: string) {
  return (await h.api.activity.listForTenant({ tenantId, limit: 50 })).items;
}

/** How many tenants of the workspace still hold a plain copy of the field. */
async function plainCopies(name: string): Promise<number> {
  const rows = await h.handle.db
    .select({ count: sql<number>`count(*)::int` })
    .from(tenants)
    .where(and(eq(tenants.workspaceId, h.workspaceId), sql`${tenants.fields} ? ${name}`));
  return Number(rows[0]!.count);
}

describe("a field made secret by the schema", () => {
  it("is sealed in every tenant by the schema change: version moves on, activity redacts, the backend opens it", async () => {
    await h.api.fields.putSchema({ schema: schemaWith(false) });
    const withToken = await h.api.tenants.create({
      name: "Plain token",
      fields: { region: "eu", apiToken: "tok_plain_1234", pin: 4711, note: "kept" },
    });
    const without = await h.api.tenants.create({ name: "No token", fields: { region: "us" } });
    expect((await h.api.fields.getForTenant({ tenantId: withToken.id })).values).toMatchObject({
      apiToken: "tok_plain_1234",
    });

    const saved = await h.api.fields.putSchema({ schema: schemaWith(true) });

    const read = await h.api.fields.getForTenant({ tenantId: withToken.id });
    expect(read.values).toEqual({ region: "eu", note: "kept" });
    expect(read.secretFieldsSet).toEqual(["apiToken", "pin"]);
    expect(read.tenantVersion).toBe(withToken.version + 1);
    const tenant = await h.api.tenants.get({ id: withToken.id });
    expect(tenant.fields).toEqual({ region: "eu", note: "kept" });
    expect(JSON.stringify(tenant)).not.toContain("tok_plain_1234");
    const row = await rawRow(withToken.id);
    expect(JSON.stringify(row)).not.toContain("tok_plain_1234");
    expect(Object.keys(row.secretFields).sort()).toEqual(["apiToken", "pin"]);
    // Sealed as a write seals it: the backend's call opens it, with its JSON type.
    expect(await h.api.tenants.secretFields({ id: withToken.id })).toEqual({
      values: { apiToken: "tok_plain_1234", pin: 4711 },
    });

    const [entry] = await activityOf(withToken.id);
    expect(entry).toMatchObject({
      action: "tenant.fields_updated",
      actor: { type: "api_key" },
      target: { type: "tenant", id: withToken.id },
      changes: {
        before: {
          fields: { apiToken: "[redacted]", pin: "[redacted]", region: "eu", note: "kept" },
          secretFieldsSet: [],
          version: withToken.version,
        },
        after: {
          fields: { region: "eu", note: "kept" },
          secretFieldsSet: ["apiToken", "pin"],
          version: withToken.version + 1,
          reason: "field_made_secret",
          fieldSchemaVersion: saved.version,
        },
      },
    });
    expect(JSON.stringify(entry)).not.toContain("tok_plain_1234");

    // A tenant without a plain copy is not touched.
    expect((await h.api.tenants.get({ id: without.id })).version).toBe(without.version);
    expect((await activityOf(without.id)).map((e) => e.action)).toEqual(["tenant.created"]);
    expect(await plainCopies("apiToken")).toBe(0);

    // Writes go on as before: the next value is sealed by the write.
    await h.api.fields.patchForTenant({ tenantId: withToken.id, fields: { apiToken: "tok_next_5678" } });
    expect((await h.api.tenants.secretFields({ id: withToken.id })).values).toMatchObject({
      apiToken: "tok_next_5678",
    });
  });

  it("made plain again stays sealed: never unsealed into the readable fields, nothing written", async () => {
    await h.api.fields.putSchema({ schema: schemaWith(true) });
    const tenant = await h.api.tenants.create({
      name: "Sealed token",
      fields: { region: "eu", apiToken: "tok_sealed_999" },
    });
    const activityBefore = await activityOf(tenant.id);

    await h.api.fields.putSchema({ schema: schemaWith(false) });

    const read = await h.api.fields.getForTenant({ tenantId: tenant.id });
    expect(read.values).toEqual({ region: "eu" });
    expect(read.secretFieldsSet).toEqual(["apiToken"]);
    expect(read.tenantVersion).toBe(tenant.version);
    expect(JSON.stringify(await h.api.tenants.get({ id: tenant.id }))).not.toContain("tok_sealed_999");
    expect(JSON.stringify(await rawRow(tenant.id))).not.toContain("tok_sealed_999");
    expect(await activityOf(tenant.id)).toEqual(activityBefore);
    // Only the API-key-only call opens it, as before.
    expect((await h.api.tenants.secretFields({ id: tenant.id })).values).toEqual({
      apiToken: "tok_sealed_999",
    });

    // Secret again: there is no plain copy to seal, so nothing changes.
    await h.api.fields.putSchema({ schema: schemaWith(true) });
    expect((await h.api.tenants.get({ id: tenant.id })).version).toBe(tenant.version);
    expect((await h.api.tenants.secretFields({ id: tenant.id })).values).toEqual({
      apiToken: "tok_sealed_999",
    });
  });

  it(`works in batches of ${SEAL_BATCH} tenants inside the one transaction`, async () => {
    await h.api.fields.putSchema({ schema: schemaWith(false) });
    // Tenants written straight to the table: more than two batches, every third without a token.
    const count = SEAL_BATCH * 2 + 321;
    const rows = Array.from({ length: count }, (_, i) => ({
      workspaceId: h.workspaceId,
      id: newId("tenant"),
      internalId: `bulk-${unique()}-${i}`,
      name: `Bulk ${i}`,
      slug: `bulk-${unique()}-${i}`,
      scopeId: newId("scope"),
      fields: i % 3 === 0 ? { region: "eu" } : { region: "eu", apiToken: `tok_bulk_${i}` },
    }));
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await h.handle.db
        .insert(scopes)
        .values(chunk.map((r) => ({ workspaceId: r.workspaceId, id: r.scopeId, kind: "tenant" as const })));
      await h.handle.db.insert(tenants).values(chunk);
    }
    const withToken = rows.filter((r) => "apiToken" in r.fields);
    expect(await plainCopies("apiToken")).toBe(withToken.length);
    const fieldEntries = async () => {
      const [row] = await h.handle.db
        .select({ entries: sql<number>`count(*)::int` })
        .from(activityLog)
        .where(eq(activityLog.action, "tenant.fields_updated"));
      return Number(row!.entries);
    };
    const entriesBefore = await fieldEntries();

    await h.api.fields.putSchema({ schema: schemaWith(true) });

    expect(await plainCopies("apiToken")).toBe(0);
    const versions = await h.handle.db
      .select({ version: tenants.version, count: sql<number>`count(*)::int` })
      .from(tenants)
      .where(sql`${tenants.internalId} like 'bulk-%'`)
      .groupBy(tenants.version)
      .orderBy(tenants.version);
    expect(versions.map((v) => [v.version, Number(v.count)])).toEqual([
      [1, count - withToken.length],
      [2, withToken.length],
    ]);
    expect((await fieldEntries()) - entriesBefore).toBe(withToken.length);
    for (const sample of [withToken[0]!, withToken[SEAL_BATCH]!, withToken[withToken.length - 1]!]) {
      expect((await h.api.tenants.secretFields({ id: sample.id })).values).toEqual({
        apiToken: sample.fields.apiToken,
      });
    }
  }, 120_000);
});

describe("tenant writes racing the schema change", () => {
  it("leave no plain copy behind: every value ends sealed, the last one written", async () => {
    const racers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        h.api.tenants.create({ name: `Racer ${i}`, fields: { region: "eu" } }),
      ),
    );
    for (let round = 0; round < 4; round++) {
      await h.api.fields.putSchema({ schema: schemaWith(false) });
      const token = (i: number) => `tok_round${round}_${i}`;
      // Half the writes start before the schema change, half after; on PostgreSQL they overlap it.
      const writes = (from: number, to: number) =>
        racers
          .slice(from, to)
          .map((tenant, i) =>
            h.api.fields.patchForTenant({ tenantId: tenant.id, fields: { apiToken: token(from + i) } }),
          );
      const results = await Promise.allSettled([
        ...writes(0, 8),
        h.api.fields.putSchema({ schema: schemaWith(true) }),
        ...writes(8, 16),
      ]);
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(await plainCopies("apiToken")).toBe(0);
      for (const [i, tenant] of racers.entries()) {
        const read = await h.api.fields.getForTenant({ tenantId: tenant.id });
        expect(read.values).not.toHaveProperty("apiToken");
        expect((await h.api.tenants.secretFields({ id: tenant.id })).values).toMatchObject({
          apiToken: token(i),
        });
      }
    }
  }, 120_000);
});
