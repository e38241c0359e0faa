import { createCaller, createContext } from "@tenantry/api";
import {
  bootstrapDefaultWorkspace,
  createApiKey,
  randomKeyring,
  systemClock,
} from "@tenantry/api/server-runtime";
import { getElement, resolveElement } from "@tenantry/api/testing";
import { elementInstances } from "@tenantry/db/schema/elements";
import { sql } from "drizzle-orm";
import { benchDatabase, benchDrivers, type Measurement, measure, report } from "./lib";

/**
 * Issue 10's target: resolving an instance's effective configuration (template + overrides,
 * validated against the config schema) on every request, p99 under 1 ms in process, with 1,000
 * templates and 100,000 instances (100 tenants × 1,000 templates; every third instance holds
 * two overrides, one of them under a path the template later changed, so outdated is computed too).
 */
const TEMPLATES = 1_000;
const TENANTS = 100;

const configSchema = {
  type: "object",
  properties: {
    schedule: {
      type: "object",
      properties: {
        every: { type: "integer", minimum: 5, maximum: 1440, title: "Every (minutes)" },
        enabled: { type: "boolean", title: "Enabled" },
      },
    },
    label: { type: "string", maxLength: 80, title: "Label" },
    filter: {
      type: "object",
      properties: {
        status: { type: "string", enum: ["open", "closed", "any"] },
        tags: { type: "array", items: { type: "string" }, maxItems: 20 },
      },
    },
  },
  required: ["schedule"],
};

for (const driver of benchDrivers()) {
  const handle = await benchDatabase(driver);
  const keyring = await randomKeyring();
  const { workspaceId } = await bootstrapDefaultWorkspace(handle.db);
  const { key } = await createApiKey(handle.db, { workspaceId, name: "bench" });
  const api = createCaller(
    createContext({ db: handle.db, keyring, header: (n) => (n === "x-api-key" ? key : undefined) }),
  );
  const tenants: string[] = [];
  for (let i = 0; i < TENANTS; i++) tenants.push((await api.tenants.create({ name: `Tenant ${i}` })).id);

  const definition = {
    schedule: { every: 60, enabled: true },
    label: "Sync",
    filter: { status: "open", tags: ["a", "b"] },
    steps: Array.from({ length: 8 }, (_, i) => ({
      id: `step-${i}`,
      kind: "http",
      url: `https://example.com/${i}`,
    })),
  };
  const t0 = performance.now();
  await handle.db.execute(sql`
    insert into element_templates (workspace_id, id, type, key, name, definition, config_schema, revision)
    select ${workspaceId}, 'etpl_' || overlay(gen_random_uuid()::text placing '7' from 15 for 1), 'flow', 'flow-' || g, 'Flow ' || g,
           ${JSON.stringify(definition)}::jsonb, ${JSON.stringify(configSchema)}::jsonb, 2
    from generate_series(1, ${TEMPLATES}) as g`);
  // Ids shaped as UUIDv7 (version nibble 7) so they pass the API's id check.
  // Every third instance overrides two paths; its base for /schedule/every (30) is not the template's
  // current value (60), so it reads as outdated.
  await handle.db.execute(sql`
    insert into element_instances (workspace_id, id, tenant_id, template_id, type, key, overrides, override_bases,
                                   merged_revision, setup_state)
    select ${workspaceId}, 'elem_' || overlay(gen_random_uuid()::text placing '7' from 15 for 1), t.id, e.id, 'flow', e.key,
           case when (row_number() over ()) % 3 = 0
                then '{"/schedule/every": 15, "/filter/status": "any"}'::jsonb else '{}'::jsonb end,
           case when (row_number() over ()) % 3 = 0
                then '{"/schedule/every": 30, "/filter/status": "open"}'::jsonb else '{}'::jsonb end,
           1, 'ready'
    from tenants t cross join element_templates e
    where t.workspace_id = ${workspaceId} and e.workspace_id = ${workspaceId}`);
  await handle.db.execute(sql`analyze element_instances`);
  await handle.db.execute(sql`analyze element_templates`);
  const instances = await handle.db.$count(elementInstances);
  console.log(
    `\n${driver}: seeded ${TEMPLATES} templates, ${instances} instances in ${Math.round(performance.now() - t0)} ms`,
  );

  const picks = await handle.db
    .select({
      id: elementInstances.id,
      tenant_id: elementInstances.tenantId,
      template_id: elementInstances.templateId,
    })
    .from(elementInstances)
    .orderBy(sql`random()`)
    .limit(5000);
  const ec = {
    db: handle.db,
    actor: { type: "api_key" as const, workspaceId, apiKeyId: "bench" },
    requestId: "bench",
    keyring,
    clock: systemClock,
  };

  const cache = handle.invalidation.cache!;
  const cold =
    <T>(fn: (i: number) => Promise<T>) =>
    (i: number) => {
      cache.invalidate("*");
      return fn(i);
    };
  // Warm: 200 instances read over and over (the warm-up fills the cache); cold: the cache emptied
  // before each call, so each reads its row from the database.
  const byId = (i: number) => {
    const pick = picks[i % 200]!;
    return getElement(ec, { tenantId: pick.tenant_id, instanceId: pick.id });
  };
  const viaCaller = (i: number) => {
    const pick = picks[i % 200]!;
    return api.elements.get({ tenantId: pick.tenant_id, instanceId: pick.id });
  };
  const rows: Measurement[] = [];
  rows.push(await measure(`${driver}: effective config by instance id (service), cache warm`, byId));
  rows.push(
    await measure(`${driver}: effective config by instance id (service), cold`, (i) => cold(byId)(i * 7 + 3)),
  );
  rows.push(
    await measure(`${driver}: effective config by template (get with auto-create, service)`, (i) => {
      const pick = picks[i % picks.length]!;
      return resolveElement(ec, { tenantId: pick.tenant_id, templateId: pick.template_id!, instanceKey: "" });
    }),
  );
  rows.push(
    await measure(`${driver}: elements.get through the tRPC caller (auth included), cache warm`, viaCaller),
  );
  rows.push(
    await measure(`${driver}: elements.get through the tRPC caller, cold`, (i) => cold(viaCaller)(i * 7 + 3)),
  );
  report(`Element resolution, ${TEMPLATES} templates × ${TENANTS} tenants (${driver})`, rows);
  await handle.close();
}
