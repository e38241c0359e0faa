import type { CreateTenantInput, Tenant, TenantRecord } from "@tenantry/contracts/tenants";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { idempotencyKeys } from "@tenantry/db/schema/idempotency";
import { scopes } from "@tenantry/db/schema/scopes";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq, or } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { withDefaults } from "../fields/field-schema";
import { loadFieldSchema, writeFields } from "../fields/service";
import { addMembership } from "../members/memberships";
import { base64url, canonicalJson, randomBytes, sha256Hex } from "../shared/crypto";
import { appError } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { credentialChanges } from "./credentials";
import { withFieldsStatusOne } from "./fields-status";
import { findTenantRow, type TenantRow, toColumns, toTenant } from "./rows";

const CREATE_OPERATION = "tenants.create";

type CreateConflict = "id" | "internalId" | "slug" | null;

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

/**
 * Creates a tenant with its scope, fields, sealed credentials and first owner in one transaction.
 * With an idempotency key, a retry with the same body answers the tenant the first call created.
 */
export async function createTenant(
  ctx: ServiceContext,
  input: CreateTenantInput,
): Promise<{ tenant: Tenant; replayed: boolean }> {
  const { idempotencyKey, owner, id: givenId, slug: givenSlug, fields, credentials, ...profile } = input;
  const workspaceId = ctx.actor.workspaceId;
  const now = ctx.clock.now();
  const requestHash = idempotencyKey
    ? await sha256Hex(canonicalJson({ ...input, idempotencyKey: undefined }))
    : "";

  const created = await ctx.db.transaction(async (tx) => {
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
      keyring: ctx.keyring,
      workspaceId,
      tenantId: id,
      current: { fields: {}, secretFields: {} },
      values: withDefaults(compiled, fields ?? {}),
      mode: "replace",
      fromAccessToken: ctx.actor.type === "access_token",
      // A host's backend names the required fields; a token's first sight never fails over one.
      requireAll: ctx.actor.type !== "access_token",
    });
    const sealedCredentials = credentials ? await credentialChanges(ctx, id, credentials) : {};
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
          createdAt: now,
          updatedAt: now,
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
        ctx,
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
    await recordActivity(tx, ctx, {
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
  return {
    tenant: await withFieldsStatusOne(ctx.db, workspaceId, created.tenant),
    replayed: created.replayed,
  };
}

/** The same key with the same body answers the tenant as it is now; with another body, 409. */
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
): Promise<CreateConflict> {
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
  conflict: CreateConflict,
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
