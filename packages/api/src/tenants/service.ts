import type { TenantActivityAction } from "@tenantry/contracts/activity-actions";
import type {
  CreateTenantInput,
  ListTenantsInput,
  PatchTenantInput,
  PutTenantInput,
  Tenant,
  TenantRecord,
} from "@tenantry/contracts/tenants";
import type { Database, Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { idempotencyKeys } from "@tenantry/db/schema/idempotency";
import { scopes } from "@tenantry/db/schema/scopes";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, desc, eq, ilike, lt, or, type SQL, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import type { Actor } from "../actor";
import { withDefaults } from "../fields/field-schema";
import {
  fieldsStatusOf,
  loadFieldSchema,
  openSecretFields,
  type StoredFields,
  writeFields,
} from "../fields/service";
import { addMembership } from "../members/memberships";
import { type Keyring, workspaceAad } from "../secrets/keyring";
import { base64url, canonicalJson, randomBytes, sha256Hex } from "../shared/crypto";
import { decodeCursor, pageOf } from "../shared/cursor";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError, notFound } from "../shared/errors";
import { containsPattern } from "../shared/like";
import { isTransaction, prepared } from "../shared/prepared";

export interface ServiceContext {
  db: Database;
  actor: Actor;
  requestId: string;
  keyring: Keyring;
}

type TenantRow = typeof tenants.$inferSelect;
type TenantStatus = TenantRow["status"];

/** What PUT resets a field to when the body leaves it out. Identity (`internalId`, `slug`) stays. */
const PUT_DEFAULTS = {
  externalId: null,
  kind: "standard",
  planKey: null,
  trial: false,
  trialEndsAt: null,
  paymentStatus: "none",
  mfa: "optional",
  locale: null,
  logo: null,
  onboarded: false,
  federationConnection: null,
  billingEmail: null,
  technicalContactEmail: null,
  maxUsers: null,
  maxWorkspaces: null,
  maxProjects: null,
  maxEnvironments: null,
  aiCreditsRolling30DayLimit: null,
  metadata: {},
} as const satisfies Partial<Record<keyof PutTenantInput, unknown>>;

const CREATE_OPERATION = "tenants.create";

/** 404 unless the tenant exists in the workspace (for domains that hang rows off a tenant). */
export async function assertTenantExists(db: Executor, workspaceId: string, tenantId: string): Promise<void> {
  const [row] = await db
    .select({ id: tenants.id })
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, tenantId)));
  if (!row) throw notFound("Tenant", tenantId);
}

/** A tenant row as the API shows it, without `fieldsStatus` (what the activity log records). */
export function toTenant(row: TenantRow): TenantRecord {
  return {
    id: row.id,
    internalId: row.internalId,
    externalId: row.externalId,
    name: row.name,
    slug: row.slug,
    kind: row.kind,
    status: row.status,
    planKey: row.planKey,
    trial: row.trial,
    trialEndsAt: row.trialEndsAt?.toISOString() ?? null,
    paymentStatus: row.paymentStatus,
    mfa: row.mfa,
    locale: row.locale,
    logo: row.logo,
    onboarded: row.onboarded,
    federationConnection: row.federationConnection,
    billingEmail: row.billingEmail,
    technicalContactEmail: row.technicalContactEmail,
    ownerUserId: row.ownerUserId,
    maxUsers: row.maxUsers,
    maxWorkspaces: row.maxWorkspaces,
    maxProjects: row.maxProjects,
    maxEnvironments: row.maxEnvironments,
    aiCreditsRolling30DayLimit: row.aiCreditsRolling30DayLimit,
    metadata: row.metadata,
    fields: row.fields,
    secretFieldsSet: Object.keys(row.secretFields).sort(),
    hasCredentials: row.credentialsSealed !== null,
    credentialsUpdatedAt: row.credentialsUpdatedAt?.toISOString() ?? null,
    scopeId: row.scopeId,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A URL-safe slug from a display name: "Åsa & Co. AB" → "asa-co-ab". */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50)
    .replace(/-+$/, "");
  return slug || "tenant";
}

/** Tenant answers as clients see them: with `fieldsStatus` against the current field schema. */
export async function withFieldsStatus(
  db: Executor,
  workspaceId: string,
  records: TenantRecord[],
): Promise<Tenant[]> {
  if (records.length === 0) return [];
  const { compiled } = await loadFieldSchema(db, workspaceId);
  return records.map((record) => ({
    ...record,
    fieldsStatus: fieldsStatusOf(compiled, record.fields, record.secretFieldsSet),
  }));
}

async function answerOf(db: Executor, workspaceId: string, record: TenantRecord): Promise<Tenant> {
  return (await withFieldsStatus(db, workspaceId, [record]))[0]!;
}

export const credentialsAad = (workspaceId: string, tenantId: string) =>
  workspaceAad(workspaceId, `tenant:${tenantId}:credentials`);

/** Input values as column values (ISO strings become dates). Fields and credentials go their own way. */
function toColumns(input: Partial<Record<string, unknown>>): Partial<TenantRow> {
  const columns: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || key === "fields" || key === "credentials") continue;
    columns[key] = key === "trialEndsAt" && typeof value === "string" ? new Date(value) : value;
  }
  return columns as Partial<TenantRow>;
}

export async function createTenant(
  sc: ServiceContext,
  input: CreateTenantInput,
): Promise<{ tenant: Tenant; replayed: boolean }> {
  const { idempotencyKey, owner, id: givenId, slug: givenSlug, fields, credentials, ...profile } = input;
  const workspaceId = sc.actor.workspaceId;
  const requestHash = idempotencyKey
    ? await sha256Hex(canonicalJson({ ...input, idempotencyKey: undefined }))
    : "";

  const created = await sc.db.transaction(async (tx) => {
    if (idempotencyKey) {
      const claimed = await tx
        .insert(idempotencyKeys)
        .values({ workspaceId, operation: CREATE_OPERATION, key: idempotencyKey, requestHash })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (claimed.length === 0) return replayCreate(tx, workspaceId, idempotencyKey, requestHash);
    }

    const id = givenId ?? newId("tenant");
    const scopeId = newId("scope");
    const { compiled } = await loadFieldSchema(tx, workspaceId);
    const stored = await writeFields({
      compiled,
      keyring: sc.keyring,
      workspaceId,
      tenantId: id,
      current: { fields: {}, secretFields: {} },
      values: withDefaults(compiled, fields ?? {}),
      mode: "replace",
      fromAccessToken: sc.actor.type === "access_token",
      // A host's backend names the required fields; a token's first sight never fails over one.
      requireAll: sc.actor.type !== "access_token",
    });
    const sealedCredentials = credentials
      ? {
          credentialsSealed: await sc.keyring.seal(
            JSON.stringify(credentials),
            credentialsAad(workspaceId, id),
          ),
          credentialsUpdatedAt: new Date(),
        }
      : {};
    await tx.insert(scopes).values({ workspaceId, id: scopeId, kind: "tenant" });

    const baseSlug = givenSlug ?? slugify(profile.name);
    let slug = baseSlug;
    let row: TenantRow | undefined;
    for (let attempt = 0; !row; attempt++) {
      [row] = await tx
        .insert(tenants)
        .values({
          ...toColumns(profile),
          ...stored,
          ...sealedCredentials,
          workspaceId,
          id,
          scopeId,
          slug,
          name: profile.name,
          internalId: profile.internalId ?? id,
        })
        .onConflictDoNothing()
        .returning();
      if (row) break;
      const conflict = await findCreateConflict(tx, workspaceId, id, profile.internalId ?? id, slug);
      if (conflict === "slug" && !givenSlug && attempt < 5) {
        slug = `${baseSlug.slice(0, 50)}-${base64url(randomBytes(3))
          .toLowerCase()
          .replace(/[^a-z0-9]/g, "x")}`;
        continue;
      }
      throw createConflictError(conflict, { id, internalId: profile.internalId ?? id, slug });
    }

    if (owner) {
      // The first owner joins in the same transaction: a tenant created with an owner always has one.
      const { membership } = await addMembership(
        tx,
        sc,
        {
          tenantId: id,
          email: owner.email,
          firstName: owner.firstName,
          lastName: owner.lastName,
          externalId: owner.externalId,
          type: "owner",
          status: "active",
          source: "api",
          roles: ["owner"],
        },
        { trusted: true },
      );
      [row] = await tx
        .update(tenants)
        .set({ ownerUserId: membership.userId })
        .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, id)))
        .returning();
    }
    const tenant = toTenant(row!);
    await recordActivity(tx, sc, {
      tenantId: id,
      action: "tenant.created",
      targetType: "tenant",
      targetId: id,
      after: tenant,
    });
    if (idempotencyKey) {
      await tx
        .update(idempotencyKeys)
        .set({ resourceId: id, response: tenant, statusCode: 201 })
        .where(
          and(
            eq(idempotencyKeys.workspaceId, workspaceId),
            eq(idempotencyKeys.operation, CREATE_OPERATION),
            eq(idempotencyKeys.key, idempotencyKey),
          ),
        );
    }
    return { tenant, replayed: false };
  });
  return { tenant: await answerOf(sc.db, workspaceId, created.tenant), replayed: created.replayed };
}

async function replayCreate(
  tx: Executor,
  workspaceId: string,
  key: string,
  requestHash: string,
): Promise<{ tenant: TenantRecord; replayed: boolean }> {
  const [existing] = await tx
    .select()
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.workspaceId, workspaceId),
        eq(idempotencyKeys.operation, CREATE_OPERATION),
        eq(idempotencyKeys.key, key),
      ),
    );
  if (!existing || existing.requestHash !== requestHash) {
    throw appError(
      "CONFLICT",
      "idempotency_key_reused",
      "This Idempotency-Key was already used with a different request body",
    );
  }
  const current = existing.resourceId ? await findTenantRow(tx, workspaceId, existing.resourceId) : undefined;
  return { tenant: current ? toTenant(current) : (existing.response as TenantRecord), replayed: true };
}

async function findCreateConflict(
  tx: Executor,
  workspaceId: string,
  id: string,
  internalId: string,
  slug: string,
): Promise<"id" | "internalId" | "slug" | null> {
  const [clash] = await tx
    .select({ id: tenants.id, internalId: tenants.internalId, slug: tenants.slug })
    .from(tenants)
    .where(
      and(
        eq(tenants.workspaceId, workspaceId),
        or(eq(tenants.id, id), eq(tenants.internalId, internalId), eq(tenants.slug, slug)),
      ),
    )
    .limit(1);
  if (!clash) return null;
  if (clash.id === id) return "id";
  if (clash.internalId === internalId) return "internalId";
  return "slug";
}

function createConflictError(
  conflict: "id" | "internalId" | "slug" | null,
  values: { id: string; internalId: string; slug: string },
) {
  switch (conflict) {
    case "id":
      return appError("CONFLICT", "tenant_id_taken", `A tenant with id ${values.id} already exists`);
    case "internalId":
      return appError(
        "CONFLICT",
        "internal_id_taken",
        `A tenant with internalId "${values.internalId}" already exists`,
      );
    default:
      return appError("CONFLICT", "slug_taken", `The slug "${values.slug}" is already taken`);
  }
}

async function findTenantRow(db: Executor, workspaceId: string, id: string): Promise<TenantRow | undefined> {
  const [row] = await db
    .select()
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, id)));
  return row;
}

/** Reads outside a transaction take the prepared statement; inside one, the plain query on `tx`. */
export async function getTenantRow(db: Executor, workspaceId: string, id: string): Promise<TenantRow> {
  const row = isTransaction(db)
    ? await findTenantRow(db, workspaceId, id)
    : (await tenantByIdStatement(db).execute({ workspaceId, id }))[0];
  if (!row) throw notFound("Tenant", id);
  return row;
}

export async function getTenant(db: Executor, workspaceId: string, id: string): Promise<Tenant> {
  return answerOf(db, workspaceId, toTenant(await getTenantRow(db, workspaceId, id)));
}

function tenantByIdStatement(db: Database) {
  return prepared(db, "tenant_by_id", (d) =>
    d
      .select()
      .from(tenants)
      .where(
        and(eq(tenants.workspaceId, sql.placeholder("workspaceId")), eq(tenants.id, sql.placeholder("id"))),
      )
      .prepare("tenant_by_id"),
  );
}

export async function listTenants(
  db: Executor,
  workspaceId: string,
  input: ListTenantsInput,
): Promise<{ items: Tenant[]; nextCursor: string | null }> {
  const conditions: (SQL | undefined)[] = [eq(tenants.workspaceId, workspaceId)];
  if (input.cursor) conditions.push(lt(tenants.id, decodeCursor(input.cursor)));
  if (input.status) conditions.push(eq(tenants.status, input.status));
  if (input.kind) conditions.push(eq(tenants.kind, input.kind));
  if (input.internalId) conditions.push(eq(tenants.internalId, input.internalId));
  if (input.planKey) conditions.push(eq(tenants.planKey, input.planKey));
  if (input.q) {
    const pattern = containsPattern(input.q);
    conditions.push(
      or(
        ilike(tenants.name, pattern),
        ilike(tenants.slug, pattern),
        eq(tenants.internalId, input.q),
        eq(tenants.externalId, input.q),
      ),
    );
  }
  const rows = await db
    .select()
    .from(tenants)
    .where(and(...conditions))
    .orderBy(desc(tenants.id))
    .limit(input.limit + 1);
  const page = pageOf(rows.map(toTenant), input.limit);
  return { items: await withFieldsStatus(db, workspaceId, page.items), nextCursor: page.nextCursor };
}

/**
 * The one path every tenant change takes: lock the row, check `expectedVersion`, write, bump the
 * version and log the diff, all in one transaction. A change that changes nothing writes nothing.
 */
async function changeTenant(
  sc: ServiceContext,
  id: string,
  expectedVersion: number | undefined,
  action: TenantActivityAction,
  computeChanges: (current: TenantRow, tx: Executor) => Promise<Partial<TenantRow>>,
): Promise<TenantRecord> {
  const workspaceId = sc.actor.workspaceId;
  try {
    return await sc.db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(tenants)
        .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, id)))
        .for("update");
      if (!current) throw notFound("Tenant", id);
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw appError(
          "CONFLICT",
          "version_conflict",
          `The tenant changed since version ${expectedVersion}; it is at version ${current.version}`,
          { currentVersion: current.version },
        );
      }
      const changes = await computeChanges(current, tx);
      const effective = Object.fromEntries(
        Object.entries(changes).filter(
          ([key, value]) =>
            JSON.stringify(value) !== JSON.stringify(current[key as keyof TenantRow] as unknown),
        ),
      );
      if (Object.keys(effective).length === 0) return toTenant(current);
      const [updated] = await tx
        .update(tenants)
        .set({ ...effective, version: sql`${tenants.version} + 1`, updatedAt: sql`now()` })
        .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, id)))
        .returning();
      const before = toTenant(current);
      const after = toTenant(updated!);
      await recordActivity(tx, sc, {
        tenantId: id,
        action,
        targetType: "tenant",
        targetId: id,
        before,
        after,
      });
      return after;
    });
  } catch (error) {
    const constraint = violatedUniqueConstraint(error);
    if (constraint === "tenants_slug_unique")
      throw appError("CONFLICT", "slug_taken", "That slug is already taken");
    if (constraint === "tenants_internal_id_unique") {
      throw appError("CONFLICT", "internal_id_taken", "Another tenant already has that internalId");
    }
    throw error;
  }
}

export async function patchTenant(sc: ServiceContext, input: PatchTenantInput): Promise<Tenant> {
  const { id, expectedVersion, fields, credentials, ...profile } = input;
  const changed = await changeTenant(sc, id, expectedVersion, "tenant.updated", async (current, tx) => ({
    ...toColumns(profile),
    ...(fields ? await fieldChanges(sc, tx, current, fields, "merge", sc.actor.type === "access_token") : {}),
    ...(credentials !== undefined ? await credentialChanges(sc, id, credentials) : {}),
  }));
  return answerOf(sc.db, sc.actor.workspaceId, changed);
}

/** PUT replaces the profile; `fields` when given replaces the plain fields; credentials only when given. */
export async function putTenant(sc: ServiceContext, input: PutTenantInput): Promise<Tenant> {
  const { id, expectedVersion, fields, credentials, ...profile } = input;
  const changed = await changeTenant(sc, id, expectedVersion, "tenant.updated", async (current, tx) => ({
    ...toColumns({ ...PUT_DEFAULTS, ...profile }),
    ...(fields
      ? await fieldChanges(sc, tx, current, fields, "replace", sc.actor.type === "access_token")
      : {}),
    ...(credentials !== undefined ? await credentialChanges(sc, id, credentials) : {}),
  }));
  return answerOf(sc.db, sc.actor.workspaceId, changed);
}

/** Changes only the fields: the widgets' and the tokens' way in. */
export function patchTenantFields(
  sc: ServiceContext,
  input: {
    id: string;
    fields: Record<string, unknown>;
    expectedVersion?: number | undefined;
    /**
     * The values come from a token's `fields` claim, which travels through the browser and its
     * logs: such values may not set secrets. A widget's PATCH (a user typing a secret into a form
     * over HTTPS) may.
     */
    fromTokenClaims?: boolean;
  },
): Promise<TenantRecord> {
  return changeTenant(sc, input.id, input.expectedVersion, "tenant.fields_updated", (current, tx) =>
    fieldChanges(sc, tx, current, input.fields, "merge", input.fromTokenClaims ?? false),
  );
}

async function fieldChanges(
  sc: ServiceContext,
  tx: Executor,
  current: TenantRow,
  values: Record<string, unknown>,
  mode: "merge" | "replace",
  fromTokenClaims: boolean,
): Promise<StoredFields> {
  const { compiled } = await loadFieldSchema(tx, sc.actor.workspaceId);
  return writeFields({
    compiled,
    keyring: sc.keyring,
    workspaceId: current.workspaceId,
    tenantId: current.id,
    current: { fields: current.fields, secretFields: current.secretFields },
    values,
    mode,
    fromAccessToken: fromTokenClaims,
  });
}

async function credentialChanges(
  sc: ServiceContext,
  tenantId: string,
  credentials: Record<string, unknown> | null,
): Promise<Partial<TenantRow>> {
  if (credentials === null) return { credentialsSealed: null, credentialsUpdatedAt: null };
  return {
    credentialsSealed: await sc.keyring.seal(
      JSON.stringify(credentials),
      credentialsAad(sc.actor.workspaceId, tenantId),
    ),
    credentialsUpdatedAt: new Date(),
  };
}

/**
 * Opens the tenant's credentials for the host's backend (API key only). A value sealed under a
 * previous encryption key is sealed again under the current one on the way (lazy rotation).
 */
export async function readTenantCredentials(
  sc: ServiceContext,
  id: string,
): Promise<{ credentials: Record<string, unknown> | null; updatedAt: string | null }> {
  const workspaceId = sc.actor.workspaceId;
  const [row] = await sc.db
    .select({ sealed: tenants.credentialsSealed, updatedAt: tenants.credentialsUpdatedAt })
    .from(tenants)
    .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, id)));
  if (!row) throw notFound("Tenant", id);
  if (!row.sealed) return { credentials: null, updatedAt: null };
  const credentials = JSON.parse(await sc.keyring.open(row.sealed, credentialsAad(workspaceId, id)));
  if (sc.keyring.isStale(row.sealed)) {
    const resealed = await sc.keyring.seal(JSON.stringify(credentials), credentialsAad(workspaceId, id));
    // Only if nobody wrote new credentials meanwhile.
    await sc.db
      .update(tenants)
      .set({ credentialsSealed: resealed })
      .where(
        and(
          eq(tenants.workspaceId, workspaceId),
          eq(tenants.id, id),
          eq(tenants.credentialsSealed, row.sealed),
        ),
      );
  }
  return { credentials, updatedAt: row.updatedAt?.toISOString() ?? null };
}

const STATUS_ACTIONS: Record<TenantStatus, TenantActivityAction> = {
  active: "tenant.activated",
  suspended: "tenant.suspended",
  archived: "tenant.archived",
};

export async function setTenantStatus(
  sc: ServiceContext,
  input: { id: string; expectedVersion?: number | undefined },
  status: TenantStatus,
): Promise<Tenant> {
  const changed = await changeTenant(
    sc,
    input.id,
    input.expectedVersion,
    STATUS_ACTIONS[status],
    async () => ({
      status,
    }),
  );
  return answerOf(sc.db, sc.actor.workspaceId, changed);
}

export async function deleteTenant(
  sc: ServiceContext,
  input: { id: string; expectedVersion?: number | undefined },
): Promise<{ id: string; deleted: true }> {
  const workspaceId = sc.actor.workspaceId;
  return sc.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(tenants)
      .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, input.id)))
      .for("update");
    if (!current) throw notFound("Tenant", input.id);
    if (input.expectedVersion !== undefined && current.version !== input.expectedVersion) {
      throw appError("CONFLICT", "version_conflict", `The tenant is at version ${current.version}`, {
        currentVersion: current.version,
      });
    }
    await tx.delete(tenants).where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, input.id)));
    await tx.delete(scopes).where(and(eq(scopes.workspaceId, workspaceId), eq(scopes.id, current.scopeId)));
    await recordActivity(tx, sc, {
      tenantId: input.id,
      action: "tenant.deleted",
      targetType: "tenant",
      targetId: input.id,
      before: toTenant(current),
    });
    return { id: input.id, deleted: true as const };
  });
}

export async function readTenantSecretFields(
  sc: ServiceContext,
  id: string,
): Promise<Record<string, unknown>> {
  const row = await getTenantRow(sc.db, sc.actor.workspaceId, id);
  return openSecretFields(sc.keyring, sc.actor.workspaceId, id, row.secretFields);
}
