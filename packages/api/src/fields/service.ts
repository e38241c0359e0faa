import type { TenantActivityAction } from "@tenantry/contracts/activity-actions";
import {
  EMPTY_FIELD_SCHEMA,
  type FieldSchemaOutput,
  type PutFieldSchemaInput,
  type PutFieldSchemaOutput,
} from "@tenantry/contracts/fields";
import type { FieldsStatus } from "@tenantry/contracts/tenants";
import type { Database, Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { activityLog } from "@tenantry/db/schema/activity";
import { tenantFieldSchemas } from "@tenantry/db/schema/tenant-field-schemas";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { REDACTED, recordActivity } from "../activity/service";
import { type Actor, actorId } from "../actor";
import { type Keyring, workspaceAad } from "../secrets/keyring";
import { appError, type InputIssue, issuesMessage } from "../shared/errors";
import { isTransaction, prepared } from "../shared/prepared";
import type { ServiceContext } from "../shared/service-context";
import {
  type CompiledFieldSchema,
  checkFieldValues,
  compileFieldSchema,
  REQUIRED_MESSAGE,
} from "./field-schema";

export interface LoadedFieldSchema {
  compiled: CompiledFieldSchema;
  version: number;
  updatedAt: string | null;
}

/**
 * Compiled schemas keyed by workspace, version and updatedAt. Every use reads only the schema's
 * version and updatedAt (a prepared statement outside transactions); the document is read and
 * compiled once per change. So a schema changed by another process is never judged by a stale
 * compilation, and judging a tenant's fields costs no compilation per request.
 */
/** Sealing a field made secret is written in bulk SQL, outside `recordActivity`: typed here instead. */
const FIELDS_UPDATED: TenantActivityAction = "tenant.fields_updated";
const compiledCache = new Map<string, CompiledFieldSchema>();
const CACHE_LIMIT = 500;
const EMPTY = compileFieldSchema(EMPTY_FIELD_SCHEMA);

const cacheKeyOf = (row: { workspaceId: string; version: number; updatedAt: Date }) =>
  `${row.workspaceId}:${row.version}:${row.updatedAt.getTime()}`;

function compiledOf(row: typeof tenantFieldSchemas.$inferSelect): CompiledFieldSchema {
  const cacheKey = cacheKeyOf(row);
  let compiled = compiledCache.get(cacheKey);
  if (!compiled) {
    compiled = compileFieldSchema(row.schema);
    if (compiledCache.size >= CACHE_LIMIT) compiledCache.delete(compiledCache.keys().next().value!);
    compiledCache.set(cacheKey, compiled);
  }
  return compiled;
}

function schemaHeadStatement(db: Database) {
  return prepared(db, "field_schema_head", (d) =>
    d
      .select({ version: tenantFieldSchemas.version, updatedAt: tenantFieldSchemas.updatedAt })
      .from(tenantFieldSchemas)
      .where(eq(tenantFieldSchemas.workspaceId, sql.placeholder("workspaceId")))
      .prepare("field_schema_head"),
  );
}

/**
 * The workspace's schema, read without a lock. A tenant write reads it after locking its tenant
 * row; `putFieldSchema` locks the schema row and then tenant rows. Never lock the schema row after
 * a tenant row: that order against `putFieldSchema`'s is a deadlock.
 */
export async function loadFieldSchema(db: Executor, workspaceId: string): Promise<LoadedFieldSchema> {
  const [head] = isTransaction(db)
    ? await db
        .select({ version: tenantFieldSchemas.version, updatedAt: tenantFieldSchemas.updatedAt })
        .from(tenantFieldSchemas)
        .where(eq(tenantFieldSchemas.workspaceId, workspaceId))
    : await schemaHeadStatement(db).execute({ workspaceId });
  return loadFieldSchemaAt(db, workspaceId, head ?? null);
}

/**
 * The schema whose version and updatedAt (its head) were read by the caller, alongside a row of its
 * own (a tenant read joins it: one query instead of two). Null: the workspace has no schema.
 */
export async function loadFieldSchemaAt(
  db: Executor,
  workspaceId: string,
  head: { version: number; updatedAt: Date } | null,
): Promise<LoadedFieldSchema> {
  if (!head) return { compiled: EMPTY, version: 0, updatedAt: null };
  const cached = compiledCache.get(cacheKeyOf({ workspaceId, ...head }));
  if (cached) return { compiled: cached, version: head.version, updatedAt: head.updatedAt.toISOString() };
  const [row] = await db
    .select()
    .from(tenantFieldSchemas)
    .where(eq(tenantFieldSchemas.workspaceId, workspaceId));
  if (!row) return { compiled: EMPTY, version: 0, updatedAt: null };
  return { compiled: compiledOf(row), version: row.version, updatedAt: row.updatedAt.toISOString() };
}

/** The workspace's schema as clients read it, with its fields in display order. */
export async function getFieldSchema(sc: ServiceContext): Promise<FieldSchemaOutput> {
  const loaded = await loadFieldSchema(sc.db, sc.actor.workspaceId);
  return {
    schema: loaded.compiled.document,
    version: loaded.version,
    updatedAt: loaded.updatedAt,
    order: loaded.compiled.orderedFields,
  };
}

/**
 * Replaces the workspace's schema. Stored values are kept: the answer counts the tenants whose
 * values no longer fit, and reads flag them per field. One exception, in the same transaction:
 * a tenant's plain value of a field the schema makes secret (`writeOnly`) is sealed into its secret
 * fields and the plain copy removed (see `sealPlainCopies`). A secret field made plain stays sealed:
 * its value is never unsealed into the readable fields, and only the API-key-only secret-fields
 * call opens it.
 */
export async function putFieldSchema(
  sc: ServiceContext,
  input: PutFieldSchemaInput,
): Promise<PutFieldSchemaOutput> {
  const compiled = compileFieldSchema(input.schema);
  const workspaceId = sc.actor.workspaceId;
  const saved = await sc.db.transaction(async (tx) => {
    // Lock order: the schema row first, then tenant rows (sealPlainCopies).
    const [before] = await tx
      .select()
      .from(tenantFieldSchemas)
      .where(eq(tenantFieldSchemas.workspaceId, workspaceId))
      .for("update");
    const [row] = await tx
      .insert(tenantFieldSchemas)
      .values({ workspaceId, schema: compiled.document })
      .onConflictDoUpdate({
        target: tenantFieldSchemas.workspaceId,
        set: {
          schema: compiled.document,
          version: sql`${tenantFieldSchemas.version} + 1`,
          updatedAt: sql`now()`,
        },
      })
      .returning();
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "field_schema.updated",
      targetType: "field_schema",
      targetId: workspaceId,
      before: before ? { schema: before.schema, version: before.version } : null,
      after: { schema: row!.schema, version: row!.version },
    });
    const wasSecret = before ? compiledOf(before).secretFields : EMPTY.secretFields;
    await sealPlainCopies(tx, sc, {
      secret: [...compiled.secretFields].sort(),
      newlySecret: [...compiled.secretFields].filter((name) => !wasSecret.has(name)),
      schemaVersion: row!.version,
    });
    return row!;
  });
  const tenantsNotFitting = await countTenantsNotFitting(sc.db, workspaceId, compiled);
  return {
    schema: compiled.document,
    version: saved.version,
    updatedAt: saved.updatedAt.toISOString(),
    tenantsNotFitting,
  };
}

/** Tenants per batch when plain copies of secret fields are sealed: one SELECT, UPDATE and INSERT each. */
export const SEAL_BATCH = 1000;

/**
 * Moves every tenant's plain value of a secret field into its sealed secret fields, inside the
 * schema change's transaction, in batches of `SEAL_BATCH` tenants by id: one SELECT, one UPDATE and
 * one INSERT of activity entries per batch. Each tenant so changed moves to its next version and
 * gets a `tenant.fields_updated` entry whose `before` shows the moved values as `[redacted]`.
 *
 * Racing tenant writes: a write locks its tenant row and then reads the schema (without a lock).
 * When a field becomes secret, every tenant row of the workspace is locked first (in id order), so
 * a write in flight either commits before (its plain value is then sealed here) or waits for this
 * transaction and reads the new schema (it seals the value itself). Fields already secret are
 * swept too (a plain copy can only be a leftover), without that lock.
 *
 * Not covered: a tenant *created* while the change runs has no row to lock yet; if it read the
 * old schema, its plain copy stays until the next schema change sweeps it (the fields read never
 * shows it meanwhile). Closing that needs the create to read the schema row `FOR SHARE` before it
 * inserts (schema row, then tenants: the same order as here).
 */
async function sealPlainCopies(
  tx: Executor,
  sc: { actor: Actor; requestId: string; keyring: Keyring },
  options: { secret: string[]; newlySecret: string[]; schemaVersion: number },
): Promise<void> {
  const { secret, newlySecret, schemaVersion } = options;
  if (secret.length === 0) return;
  const workspaceId = sc.actor.workspaceId;
  if (newlySecret.length > 0) {
    await tx.execute(
      sql`select count(*) from (select 1 from ${tenants} where ${tenants.workspaceId} = ${workspaceId} order by ${tenants.id} for update) as locked`,
    );
  }
  const names = sql.join(
    secret.map((name) => sql`${name}`),
    sql`, `,
  );
  let after = "";
  for (;;) {
    const page = await tx
      .select({
        id: tenants.id,
        version: tenants.version,
        fields: tenants.fields,
        secretFields: tenants.secretFields,
      })
      .from(tenants)
      .where(
        and(
          eq(tenants.workspaceId, workspaceId),
          gt(tenants.id, after),
          sql`${tenants.fields} ?| array[${names}]::text[]`,
        ),
      )
      .orderBy(asc(tenants.id))
      .limit(SEAL_BATCH)
      .for("update");
    if (page.length === 0) return;
    const changed = await Promise.all(
      page.map(async (row) => {
        const fields = { ...row.fields };
        const secretFields = { ...row.secretFields };
        const redacted = { ...row.fields };
        for (const name of secret) {
          if (!Object.hasOwn(fields, name)) continue;
          const value = fields[name];
          delete fields[name];
          redacted[name] = REDACTED;
          // A stored null is no value (a write of null removes the field): nothing to seal.
          if (value === null) continue;
          secretFields[name] = await sc.keyring.seal(
            JSON.stringify(value),
            secretFieldAad(workspaceId, row.id, name),
          );
        }
        return { row, fields, secretFields, redacted };
      }),
    );
    // The whole batch as one JSON parameter: one statement updates the tenants (each to its next
    // version) and appends their activity entries.
    const batch = changed.map((c) => ({
      id: c.row.id,
      fields: c.fields,
      secret_fields: c.secretFields,
      activity_id: newId("act"),
      changes: {
        before: {
          fields: c.redacted,
          secretFieldsSet: Object.keys(c.row.secretFields).sort(),
          version: c.row.version,
        },
        after: {
          fields: c.fields,
          secretFieldsSet: Object.keys(c.secretFields).sort(),
          version: c.row.version + 1,
          reason: "field_made_secret",
          fieldSchemaVersion: schemaVersion,
        },
      },
    }));
    await tx.execute(sql`
      with sealed as (
        select * from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb)
          as s(id text, fields jsonb, secret_fields jsonb, activity_id text, changes jsonb)
      ), updated as (
        update ${tenants} set
          fields = sealed.fields,
          secret_fields = sealed.secret_fields,
          version = ${tenants.version} + 1,
          updated_at = now()
        from sealed
        where ${tenants.workspaceId} = ${workspaceId} and ${tenants.id} = sealed.id
        returning ${tenants.id} as id
      )
      insert into ${activityLog}
        (workspace_id, id, tenant_id, actor_type, actor_id, action, target_type, target_id, changes, request_id)
      select ${workspaceId}, sealed.activity_id, sealed.id, ${sc.actor.type}, ${actorId(sc.actor)},
        ${FIELDS_UPDATED}, 'tenant', sealed.id, sealed.changes, ${sc.requestId}
      from sealed join updated on updated.id = sealed.id`);
    if (page.length < SEAL_BATCH) return;
    after = page[page.length - 1]!.id;
  }
}

/**
 * The drift report of one tenant: required fields without a value (secret ones count when sealed)
 * and stored values that no longer fit the schema (secret values are checked for presence only).
 * Tenant answers carry it as `fieldsStatus`, the fields read as `issues`, and the schema editor
 * counts the tenants it is not complete for.
 */
export function fieldsStatusOf(
  compiled: CompiledFieldSchema,
  fields: Record<string, unknown>,
  secretFieldsSet: Iterable<string>,
): FieldsStatus {
  const secretsSet = new Set(secretFieldsSet);
  const required = new Set(compiled.document.required);
  const missing: string[] = [];
  const invalid: FieldsStatus["invalid"] = [];
  for (const name of compiled.orderedFields) {
    if (compiled.secretFields.has(name)) {
      if (required.has(name) && !secretsSet.has(name)) missing.push(name);
      continue;
    }
    for (const issue of checkFieldValues(compiled, fields, [name])) {
      if (issue.message === REQUIRED_MESSAGE) missing.push(name);
      else invalid.push({ field: name, message: issue.message });
    }
  }
  return { complete: missing.length === 0 && invalid.length === 0, missing, invalid };
}

/** The drift report as input issues (`fields.region: is required`), in display order. */
export function fieldIssuesOf(
  compiled: CompiledFieldSchema,
  fields: Record<string, unknown>,
  secretFieldsSet: Iterable<string>,
): InputIssue[] {
  const status = fieldsStatusOf(compiled, fields, secretFieldsSet);
  const messages = new Map<string, string>([
    ...status.missing.map((name) => [name, REQUIRED_MESSAGE] as const),
    ...status.invalid.map((issue) => [issue.field, issue.message] as const),
  ]);
  return compiled.orderedFields
    .filter((name) => messages.has(name))
    .map((name) => ({ path: `fields.${name}`, message: messages.get(name)! }));
}

/** Reads tenants in pages of 1,000 by key, so the count costs memory for one page only. */
async function countTenantsNotFitting(db: Executor, workspaceId: string, compiled: CompiledFieldSchema) {
  if (compiled.orderedFields.length === 0) return 0;
  let notFitting = 0;
  let after = "";
  for (;;) {
    const page = await db
      .select({ id: tenants.id, fields: tenants.fields, secretFields: tenants.secretFields })
      .from(tenants)
      .where(and(eq(tenants.workspaceId, workspaceId), gt(tenants.id, after)))
      .orderBy(asc(tenants.id))
      .limit(1000);
    for (const row of page) {
      if (!fieldsStatusOf(compiled, row.fields, Object.keys(row.secretFields)).complete) notFitting++;
    }
    if (page.length < 1000) return notFitting;
    after = page[page.length - 1]!.id;
  }
}

export interface StoredFields {
  fields: Record<string, unknown>;
  secretFields: Record<string, string>;
}

export const secretFieldAad = (workspaceId: string, tenantId: string, name: string) =>
  workspaceAad(workspaceId, `tenant:${tenantId}:field:${name}`);

/**
 * Applies a write of field values: `merge` sets the given keys (null removes one), `replace` makes
 * the plain fields exactly the given ones. Secret fields are sealed one by one and never stored in
 * the plain object. The schema judges every key written; any issue refuses the whole write (400).
 * A write may not empty a required field that holds a value, but it may leave one missing that was
 * missing already (a schema change never makes unrelated writes fail); `requireAll` asks for every
 * required field (a host's backend creating a tenant).
 */
export async function writeFields(options: {
  compiled: CompiledFieldSchema;
  keyring: Keyring;
  workspaceId: string;
  tenantId: string;
  current: StoredFields;
  values: Record<string, unknown>;
  mode: "merge" | "replace";
  /** Tokens travel through the browser: they must not carry secrets. */
  fromAccessToken?: boolean;
  requireAll?: boolean;
}): Promise<StoredFields> {
  const { compiled, keyring, workspaceId, tenantId, current, values, mode } = options;
  const fields: Record<string, unknown> = mode === "merge" ? { ...current.fields } : {};
  const secretFields: Record<string, string> = { ...current.secretFields };
  const candidate: Record<string, unknown> = {};
  const issues: InputIssue[] = [];

  for (const [key, value] of Object.entries(values)) {
    candidate[key] = value;
    if (compiled.secretFields.has(key) && options.fromAccessToken && value !== null) {
      issues.push({
        path: `fields.${key}`,
        message: "is a secret field and cannot be set from an access token",
      });
    }
  }
  const checked = new Set(Object.keys(values));
  if (mode === "replace") {
    for (const name of compiled.orderedFields) {
      // A secret already stored and not given here stays as it is; it was judged when written.
      if (compiled.secretFields.has(name) && !(name in values) && name in secretFields) continue;
      checked.add(name);
    }
  }
  const held = (name: string) =>
    (current.fields[name] !== undefined && current.fields[name] !== null) || name in current.secretFields;
  issues.push(
    ...checkFieldValues(compiled, candidate, checked, (name) => options.requireAll === true || held(name)),
  );
  if (issues.length > 0) {
    throw appError("BAD_REQUEST", "invalid_fields", issuesMessage(issues), { issues });
  }

  for (const [key, value] of Object.entries(values)) {
    if (compiled.secretFields.has(key)) {
      delete fields[key];
      if (value === null) delete secretFields[key];
      else
        secretFields[key] = await keyring.seal(
          JSON.stringify(value),
          secretFieldAad(workspaceId, tenantId, key),
        );
    } else if (value === null) {
      delete fields[key];
    } else {
      fields[key] = value;
    }
  }
  return { fields, secretFields };
}

/** Opens a tenant's secret field values, for the host's backend only. */
export async function openSecretFields(
  keyring: Keyring,
  workspaceId: string,
  tenantId: string,
  secretFields: Record<string, string>,
): Promise<Record<string, unknown>> {
  const opened: Record<string, unknown> = {};
  for (const [name, sealed] of Object.entries(secretFields)) {
    opened[name] = JSON.parse(await keyring.open(sealed, secretFieldAad(workspaceId, tenantId, name)));
  }
  return opened;
}
