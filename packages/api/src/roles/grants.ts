import type { Subject } from "@tenantry/contracts/roles";
import type { Executor } from "@tenantry/db/database";
import { groups, memberships } from "@tenantry/db/schema/members";
import { and, eq } from "drizzle-orm";
import type { Actor } from "../actor";
import { hasPermission, requirePermission } from "../auth/access";
import { appError, notFound } from "../shared/errors";

// The rules every grant obeys, whether it binds a role or adds someone to a group that holds one.

/** An access token may grant only what it holds itself, so no member can raise their own rights. */
export function assertMayGrant(actor: Actor, permissions: readonly string[]): void {
  requirePermission(actor, "roles:write");
  const missing = permissions.filter((p) => !hasPermission(actor, p));
  if (missing.length > 0) {
    throw appError(
      "FORBIDDEN",
      "forbidden",
      `You cannot grant permissions you do not hold: ${missing.join(", ")}`,
      {
        missing,
      },
    );
  }
}

/** 404 unless the user is a member of the tenant, or the group is one of the tenant's. */
export async function assertSubjectInTenant(
  tx: Executor,
  workspaceId: string,
  tenantId: string,
  subject: Subject,
): Promise<void> {
  if (subject.type === "user") {
    const [row] = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .where(
        and(
          eq(memberships.workspaceId, workspaceId),
          eq(memberships.tenantId, tenantId),
          eq(memberships.userId, subject.id),
        ),
      );
    if (!row) throw notFound("Member", subject.id);
  } else {
    const [row] = await tx
      .select({ id: groups.id })
      .from(groups)
      .where(
        and(eq(groups.workspaceId, workspaceId), eq(groups.tenantId, tenantId), eq(groups.id, subject.id)),
      );
    if (!row) throw notFound("Group", subject.id);
  }
}
