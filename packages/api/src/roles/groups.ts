import type {
  CreateGroupInput,
  Group,
  GroupInput,
  GroupMemberInput,
  TenantGroupsInput,
} from "@tenantry/contracts/roles";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { groupMembers, groups, roleBindings, roles } from "@tenantry/db/schema/members";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, asc, eq, inArray } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { activeOwnerIds, assertMayMakeOwners, assertOwnerKept, lockTenant } from "../members/owners";
import { violatedUniqueConstraint } from "../shared/db-errors";
import { appError, notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { assertMayGrant, assertSubjectInTenant } from "./grants";

// A tenant's groups of members: a role bound to a group grants its permissions to every member in it.

function toGroup(row: typeof groups.$inferSelect, memberUserIds: string[]): Group {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    memberUserIds,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function createGroup(ctx: ServiceContext, input: CreateGroupInput): Promise<Group> {
  const workspaceId = ctx.actor.workspaceId;
  return ctx.db.transaction(async (tx) => {
    // The tenant first, so an unknown one is a plain 404 (not a foreign key violation; one that is
    // deleted between this read and the insert still is, and answers 404 through databaseInputError).
    const [tenant] = await tx
      .select({ id: tenants.id })
      .from(tenants)
      .where(and(eq(tenants.workspaceId, workspaceId), eq(tenants.id, input.tenantId)));
    if (!tenant) throw notFound("Tenant", input.tenantId);
    try {
      const [row] = await tx
        .insert(groups)
        .values({ workspaceId, id: newId("grp"), tenantId: input.tenantId, name: input.name })
        .returning();
      await recordActivity(tx, ctx, {
        tenantId: input.tenantId,
        action: "group.created",
        targetType: "group",
        targetId: row!.id,
        after: { name: input.name },
      });
      return toGroup(row!, []);
    } catch (error) {
      if (violatedUniqueConstraint(error) === "groups_name_unique") {
        throw appError("CONFLICT", "conflict", `The tenant has a group named "${input.name}" already`);
      }
      throw error;
    }
  });
}

export async function listGroups(ctx: ServiceContext, { tenantId }: TenantGroupsInput): Promise<Group[]> {
  const workspaceId = ctx.actor.workspaceId;
  const rows = await ctx.db
    .select()
    .from(groups)
    .where(and(eq(groups.workspaceId, workspaceId), eq(groups.tenantId, tenantId)))
    .orderBy(asc(groups.name));
  if (rows.length === 0) return [];
  const members = await ctx.db
    .select({ groupId: groupMembers.groupId, userId: groupMembers.userId })
    .from(groupMembers)
    .where(
      and(
        eq(groupMembers.workspaceId, workspaceId),
        inArray(
          groupMembers.groupId,
          rows.map((r) => r.id),
        ),
      ),
    )
    .orderBy(asc(groupMembers.userId));
  return rows.map((row) =>
    toGroup(
      row,
      members.filter((m) => m.groupId === row.id).map((m) => m.userId),
    ),
  );
}

/** Whether the group holds the owner role: adding someone to it makes them an owner. */
async function groupHoldsOwnerRole(tx: Executor, workspaceId: string, groupId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: roleBindings.id })
    .from(roleBindings)
    .innerJoin(roles, and(eq(roles.workspaceId, roleBindings.workspaceId), eq(roles.id, roleBindings.roleId)))
    .where(
      and(
        eq(roleBindings.workspaceId, workspaceId),
        eq(roleBindings.subjectType, "group"),
        eq(roleBindings.subjectId, groupId),
        eq(roles.key, "owner"),
      ),
    );
  return row !== undefined;
}

/** The permissions a group's bindings grant: a token adding someone to it must hold them all. */
async function groupPermissions(tx: Executor, workspaceId: string, groupId: string): Promise<string[]> {
  const rows = await tx
    .select({ permissions: roles.permissions })
    .from(roleBindings)
    .innerJoin(roles, and(eq(roles.workspaceId, roleBindings.workspaceId), eq(roles.id, roleBindings.roleId)))
    .where(
      and(
        eq(roleBindings.workspaceId, workspaceId),
        eq(roleBindings.subjectType, "group"),
        eq(roleBindings.subjectId, groupId),
      ),
    );
  return [...new Set(rows.flatMap((r) => r.permissions))];
}

export function addGroupMember(ctx: ServiceContext, input: GroupMemberInput): Promise<void> {
  return changeGroupMember(ctx, input, true);
}

export function removeGroupMember(ctx: ServiceContext, input: GroupMemberInput): Promise<void> {
  return changeGroupMember(ctx, input, false);
}

async function changeGroupMember(ctx: ServiceContext, input: GroupMemberInput, add: boolean): Promise<void> {
  const workspaceId = ctx.actor.workspaceId;
  await ctx.db.transaction(async (tx) => {
    await lockTenant(tx, workspaceId, input.tenantId);
    const ownersBefore = await activeOwnerIds(tx, workspaceId, input.tenantId);
    await assertSubjectInTenant(tx, workspaceId, input.tenantId, { type: "group", id: input.groupId });
    if (ctx.actor.type === "access_token") {
      assertMayGrant(ctx.actor, await groupPermissions(tx, workspaceId, input.groupId));
      if (add && (await groupHoldsOwnerRole(tx, workspaceId, input.groupId))) {
        await assertMayMakeOwners(tx, ctx.actor, input.tenantId);
      }
    }
    if (add) {
      await assertSubjectInTenant(tx, workspaceId, input.tenantId, { type: "user", id: input.userId });
      const added = await tx
        .insert(groupMembers)
        .values({ workspaceId, groupId: input.groupId, userId: input.userId })
        .onConflictDoNothing()
        .returning();
      if (added.length === 0) return;
    } else {
      const removed = await tx
        .delete(groupMembers)
        .where(
          and(
            eq(groupMembers.workspaceId, workspaceId),
            eq(groupMembers.groupId, input.groupId),
            eq(groupMembers.userId, input.userId),
          ),
        )
        .returning();
      if (removed.length === 0) throw notFound("Group member", input.userId);
      await assertOwnerKept(tx, workspaceId, input.tenantId, ownersBefore);
    }
    await recordActivity(tx, ctx, {
      tenantId: input.tenantId,
      action: add ? "group.member_added" : "group.member_removed",
      targetType: "group",
      targetId: input.groupId,
      after: { userId: input.userId },
    });
  });
}

export async function deleteGroup(ctx: ServiceContext, input: GroupInput): Promise<void> {
  const workspaceId = ctx.actor.workspaceId;
  await ctx.db.transaction(async (tx) => {
    await lockTenant(tx, workspaceId, input.tenantId);
    const ownersBefore = await activeOwnerIds(tx, workspaceId, input.tenantId);
    await assertSubjectInTenant(tx, workspaceId, input.tenantId, { type: "group", id: input.groupId });
    if (ctx.actor.type === "access_token") {
      assertMayGrant(ctx.actor, await groupPermissions(tx, workspaceId, input.groupId));
    }
    await tx
      .delete(roleBindings)
      .where(
        and(
          eq(roleBindings.workspaceId, workspaceId),
          eq(roleBindings.subjectType, "group"),
          eq(roleBindings.subjectId, input.groupId),
        ),
      );
    await tx.delete(groups).where(and(eq(groups.workspaceId, workspaceId), eq(groups.id, input.groupId)));
    await assertOwnerKept(tx, workspaceId, input.tenantId, ownersBefore);
    await recordActivity(tx, ctx, {
      tenantId: input.tenantId,
      action: "group.deleted",
      targetType: "group",
      targetId: input.groupId,
    });
  });
}
