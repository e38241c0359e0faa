import { EMPTY_FIELD_SCHEMA, type FieldSchemaDocument } from "@tenantry/contracts/fields";
import type { Executor } from "@tenantry/db/database";
import { tenantFieldSchemas } from "@tenantry/db/schema/tenant-field-schemas";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { Actor } from "../actor";
import { type Keyring, workspaceAad } from "../secrets/keyring";
import { appError, type InputIssue } from "../shared/errors";
import { type CompiledFieldSchema, checkFieldValues, compileFieldSchema } from "./field-schema";

export interface LoadedFieldSchema {
  compiled: CompiledFieldSchema;
  version: number;
  updatedAt: string | null;
}

/**
 * Compiled schemas keyed by workspace and version. The version is read from the database on every
 * use, so a schema changed by another process is never judged by a stale compilation.
 */
const compiledCache = new Map<string, CompiledFieldSchema>();
const CACHE_LIMIT = 500;
const EMPTY = compileFieldSchema(EMPTY_FIELD_SCHEMA);

export async function loadFieldSchema(db: Executor, workspaceId: string): Promise<LoadedFieldSchema> {
  const [row] = await db
    .select()
    .from(tenantFieldSchemas)
    .where(eq(tenantFieldSchemas.workspaceId, workspaceId));
  if (!row) return { compiled: EMPTY, version: 0, updatedAt: null };
  const cacheKey = `${workspaceId}:${row.version}`;
  let compiled = compiledCache.get(cacheKey);
  if (!compiled) {
    compiled = compileFieldSchema(row.schema);
    if (compiledCache.size >= CACHE_LIMIT) compiledCache.delete(compiledCache.keys().next().value!);
    compiledCache.set(cacheKey, compiled);
  }
  return { compiled, version: row.version, updatedAt: row.updatedAt.toISOString() };
}

/**
 * Replaces the workspace's schema. Stored values are never touched: the answer counts the tenants
 * whose values no longer fit, and reads flag them per field.
 */
export async function putFieldSchema(
  sc: { db: Executor; actor: Actor; requestId: string },
  document: unknown,
): Promise<{ schema: FieldSchemaDocument; version: number; updatedAt: string; tenantsNotFitting: number }> {
  const compiled = compileFieldSchema(document);
  const workspaceId = sc.actor.workspaceId;
  const saved = await sc.db.transaction(async (tx) => {
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

/** Which stored values no longer fit the schema (secret values are checked for presence only). */
export function fieldIssuesOf(
  compiled: CompiledFieldSchema,
  fields: Record<string, unknown>,
  secretFieldsSet: Iterable<string>,
): InputIssue[] {
  const secretsSet = new Set(secretFieldsSet);
  const plainKeys = compiled.orderedFields.filter((name) => !compiled.secretFields.has(name));
  const issues = checkFieldValues(compiled, fields, plainKeys);
  for (const name of compiled.secretFields) {
    if (compiled.document.required.includes(name) && !secretsSet.has(name)) {
      issues.push({ path: `fields.${name}`, message: "is required" });
    }
  }
  return issues;
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
      if (fieldIssuesOf(compiled, row.fields, Object.keys(row.secretFields)).length > 0) notFitting++;
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
  issues.push(...checkFieldValues(compiled, candidate, checked));
  if (issues.length > 0) {
    const first = issues[0]!;
    throw appError("BAD_REQUEST", "invalid_fields", `Invalid field value: ${first.path}: ${first.message}`, {
      issues,
    });
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
