import {
  type CreatePermissionInput,
  type CustomPermission,
  isBuiltInPermission,
  type PermissionIdInput,
  type UpdatePermissionInput,
} from "@tenantry/contracts/permissions";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { roles } from "@tenantry/db/schema/members";
import { permissions } from "@tenantry/db/schema/permissions";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { readThrough } from "../invalidation/cache";
import { cacheOf } from "../invalidation/listener";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";

type PermissionRow = typeof permissions.$inferSelect;

function toPermission(row: PermissionRow): CustomPermission {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function listPermissions(ctx: ServiceContext): Promise<CustomPermission[]> {
  const rows = await ctx.db
    .select()
    .from(permissions)
    .where(eq(permissions.workspaceId, ctx.actor.workspaceId))
    .orderBy(asc(permissions.key));
  return rows.map(toPermission);
}

export async function getPermission(
  ctx: ServiceContext,
  { id }: PermissionIdInput,
): Promise<CustomPermission> {
  const [row] = await ctx.db
    .select()
    .from(permissions)
    .where(and(eq(permissions.workspaceId, ctx.actor.workspaceId), eq(permissions.id, id)));
  if (!row) throw notFound("Permission", id);
  return toPermission(row);
}

export async function createPermission(
  ctx: ServiceContext,
  input: CreatePermissionInput,
): Promise<CustomPermission> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    // The unique (workspace_id, key) decides between concurrent creates; the loser gets the 409.
    const [row] = await tx
      .insert(permissions)
      .values({
        workspaceId,
        id: newId("perm"),
        key: input.key,
        name: input.name,
        description: input.description || null,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      throw appError(
        "CONFLICT",
        "permission_key_taken",
        `The workspace has a permission with the key "${input.key}" already`,
        { key: input.key },
      );
    }
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "permission.created",
      targetType: "permission",
      targetId: row.id,
      after: { key: row.key, name: row.name, description: row.description },
    });
    return toPermission(row);
  });
}

export async function updatePermission(
  ctx: ServiceContext,
  input: UpdatePermissionInput,
): Promise<CustomPermission> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(permissions)
      .where(and(eq(permissions.workspaceId, workspaceId), eq(permissions.id, input.id)))
      .for("update");
    if (!current) throw notFound("Permission", input.id);
    const next = {
      name: input.name ?? current.name,
      description: input.description === undefined ? current.description : input.description || null,
    };
    // A change that changes nothing writes nothing (and logs nothing).
    if (next.name === current.name && next.description === current.description) return toPermission(current);
    const [row] = await tx
      .update(permissions)
      .set({ ...next, updatedAt: new Date() })
      .where(and(eq(permissions.workspaceId, workspaceId), eq(permissions.id, input.id)))
      .returning();
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "permission.updated",
      targetType: "permission",
      targetId: input.id,
      before: { name: current.name, description: current.description },
      after: next,
    });
    return toPermission(row!);
  });
}

/**
 * Deletes a permission and removes it from every role that holds it, as WorkOS and Clerk do: the
 * key stops granting anything at once. The permission's row is locked first, so a role change that
 * adds the key (and holds it `FOR SHARE`, see `lockCustomPermissions`) either commits before and is
 * cleaned here, or waits and then finds the key gone.
 */
export async function deletePermission(ctx: ServiceContext, { id }: PermissionIdInput): Promise<void> {
  const workspaceId = ctx.actor.workspaceId;
  await ctx.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(permissions)
      .where(and(eq(permissions.workspaceId, workspaceId), eq(permissions.id, id)))
      .for("update");
    if (!current) throw notFound("Permission", id);
    const changedRoles = await tx
      .update(roles)
      .set({
        permissions: sql`array_remove(${roles.permissions}, ${current.key}::text)`,
        updatedAt: new Date(),
      })
      .where(and(eq(roles.workspaceId, workspaceId), sql`${current.key}::text = any(${roles.permissions})`))
      .returning({ key: roles.key });
    await tx.delete(permissions).where(and(eq(permissions.workspaceId, workspaceId), eq(permissions.id, id)));
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "permission.deleted",
      targetType: "permission",
      targetId: id,
      before: {
        key: current.key,
        name: current.name,
        roles: changedRoles.map((r) => r.key).sort(),
      },
    });
  });
}

function unknownPermissions(missing: string[]) {
  return appError(
    "BAD_REQUEST",
    "unknown_permission",
    missing.length === 1
      ? `There is no permission "${missing[0]}": define it first (POST /permissions) or use a built-in one`
      : `There are no permissions ${missing.map((k) => `"${k}"`).join(", ")}: define them first (POST /permissions) or use built-in ones`,
    { keys: missing },
  );
}

function customKeysOf(keys: Iterable<string>): string[] {
  return [...new Set([...keys].filter((key) => !isBuiltInPermission(key)))];
}

/**
 * Checks that every custom key exists, and holds their rows `FOR SHARE` until the transaction ends,
 * so none is deleted while a role is being given it. Call it before locking the role's own row:
 * deleting a permission locks the permission, then roles, and the same order here cannot deadlock.
 */
export async function lockCustomPermissions(
  tx: Executor,
  workspaceId: string,
  keys: Iterable<string>,
): Promise<void> {
  const custom = customKeysOf(keys);
  if (custom.length === 0) return;
  const rows = await tx
    .select({ key: permissions.key })
    .from(permissions)
    .where(and(eq(permissions.workspaceId, workspaceId), inArray(permissions.key, custom)))
    .orderBy(asc(permissions.key))
    .for("share");
  const found = new Set(rows.map((r) => r.key));
  const missing = custom.filter((key) => !found.has(key));
  if (missing.length > 0) throw unknownPermissions(missing);
}

/** The custom keys among `keys` that the workspace defines, in one query (none when all are built-in). */
export async function existingCustomPermissions(
  db: Executor,
  workspaceId: string,
  keys: Iterable<string>,
): Promise<Set<string>> {
  const custom = customKeysOf(keys);
  if (custom.length === 0) return new Set();
  const cache = cacheOf(db);
  if (cache) {
    // The workspace's keys, kept per process; any change to them notifies every process.
    const defined = await readThrough(
      cache,
      `permissions:${workspaceId}`,
      async () => {
        const rows = await db
          .select({ key: permissions.key })
          .from(permissions)
          .where(eq(permissions.workspaceId, workspaceId));
        return new Set(rows.map((r) => r.key));
      },
      () => workspaceId,
    );
    return new Set(custom.filter((key) => defined.has(key)));
  }
  const rows = await db
    .select({ key: permissions.key })
    .from(permissions)
    .where(and(eq(permissions.workspaceId, workspaceId), inArray(permissions.key, custom)));
  return new Set(rows.map((r) => r.key));
}

/** 400 `unknown_permission` naming every custom key the workspace does not define. */
export async function assertPermissionsExist(
  db: Executor,
  workspaceId: string,
  keys: readonly string[],
): Promise<void> {
  const custom = customKeysOf(keys);
  if (custom.length === 0) return;
  const found = await existingCustomPermissions(db, workspaceId, custom);
  const missing = custom.filter((key) => !found.has(key));
  if (missing.length > 0) throw unknownPermissions(missing);
}

/**
 * What a token without a user may hold of what its `scope` asks for: built-in keys and the
 * workspace's own that exist; anything else grants nothing.
 */
export async function keepDefinedPermissions(
  db: Executor,
  workspaceId: string,
  requested: ReadonlySet<string>,
): Promise<Set<string>> {
  const custom = await existingCustomPermissions(db, workspaceId, requested);
  return new Set([...requested].filter((key) => isBuiltInPermission(key) || custom.has(key)));
}
