import type { workspacesContract } from "@tenantry/contracts/workspaces";
import type { Database } from "@tenantry/db/database";
import { signingKeys } from "@tenantry/db/schema/signing-keys";
import { workspaces } from "@tenantry/db/schema/workspaces";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { z } from "zod";
import { recordActivity } from "../activity/service";
import { readThrough } from "../invalidation/cache";
import { cacheOf } from "../invalidation/listener";
import { notFound } from "../shared/errors";
import { prepared } from "../shared/prepared";
import type { ServiceContext } from "../shared/service-context";

type AllowedOrigins = z.infer<typeof workspacesContract.getAllowedOrigins.output>;

/**
 * The browser origins a workspace's widgets may call Tenantry from (CORS), and the only origins the
 * OAuth popup posts its result to. Exact origins: scheme, host and port, no path.
 */

/** `(db, workspaceId)`: the OAuth callback asks on behalf of a connection, with no actor. */
export async function getAllowedOrigins(db: Database, workspaceId: string): Promise<string[]> {
  const [row] = await db
    .select({ settings: workspaces.settings })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  if (!row) throw notFound("Workspace", workspaceId);
  return allowedOriginsOf(row.settings);
}

export async function listAllowedOrigins(ctx: ServiceContext): Promise<AllowedOrigins> {
  return { origins: await getAllowedOrigins(ctx.db, ctx.actor.workspaceId) };
}

export function allowedOriginsOf(settings: Record<string, unknown> | null | undefined): string[] {
  const value = settings?.allowedOrigins;
  return Array.isArray(value) ? value.filter((o): o is string => typeof o === "string") : [];
}

export async function putAllowedOrigins(
  sc: ServiceContext,
  { origins }: z.infer<typeof workspacesContract.putAllowedOrigins.input>,
): Promise<AllowedOrigins> {
  const unique = [...new Set(origins)].sort();
  return sc.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ settings: workspaces.settings })
      .from(workspaces)
      .where(eq(workspaces.id, sc.actor.workspaceId))
      .for("update");
    if (!row) throw notFound("Workspace", sc.actor.workspaceId);
    await tx
      .update(workspaces)
      .set({ settings: { ...row.settings, allowedOrigins: unique }, updatedAt: sc.clock.now() })
      .where(eq(workspaces.id, sc.actor.workspaceId));
    await recordActivity(tx, sc, {
      tenantId: null,
      action: "workspace.allowed_origins_updated",
      targetType: "workspace",
      targetId: sc.actor.workspaceId,
      before: { allowedOrigins: allowedOriginsOf(row.settings) },
      after: { allowedOrigins: unique },
    });
    return { origins: unique };
  });
}

/**
 * For CORS preflights, which carry no credentials: is the origin allowed by any workspace? The
 * request that follows is checked against its own workspace.
 */
export async function isOriginAllowedAnywhere(db: Database, origin: string): Promise<boolean> {
  // Asked on every cross-origin request, so an allowing answer is kept per process, under the
  // workspace that allows it: a change to that workspace notifies and drops it (invalidation/).
  // A refusal is not kept: any workspace may come to allow the origin.
  const allowedBy = await readThrough(
    cacheOf(db),
    `origin_anywhere:${origin}`,
    async () => {
      const [row] = await prepared(db, "origin_allowed_anywhere", (d) =>
        d
          .select({ id: workspaces.id })
          .from(workspaces)
          .where(sql`${workspaces.settings}->'allowedOrigins' ? ${sql.placeholder("origin")}`)
          .limit(1)
          .prepare("origin_allowed_anywhere"),
      ).execute({ origin });
      return row?.id ?? null;
    },
    (workspaceId) => workspaceId,
  );
  return allowedBy !== null;
}

export type OriginDiagnosis =
  | { verdict: "allowed" | "origin_not_allowed"; workspaceId: string }
  | { verdict: "unknown_key"; workspaceId: null };

/**
 * Whether `origin` may call with tokens signed by key `kid`: what a widget asks after its calls
 * failed at the network level (a refused preflight looks just like that to a browser). It says
 * yes or no for one origin, never the workspace's list.
 */
export async function diagnoseOrigin(db: Database, kid: string, origin: string): Promise<OriginDiagnosis> {
  const [row] = await db
    .select({ workspaceId: signingKeys.workspaceId, settings: workspaces.settings })
    .from(signingKeys)
    .innerJoin(workspaces, eq(workspaces.id, signingKeys.workspaceId))
    .where(and(eq(signingKeys.id, kid), isNull(signingKeys.revokedAt)))
    .limit(1);
  if (!row) return { verdict: "unknown_key", workspaceId: null };
  const allowed = allowedOriginsOf(row.settings).includes(origin);
  return { verdict: allowed ? "allowed" : "origin_not_allowed", workspaceId: row.workspaceId };
}
