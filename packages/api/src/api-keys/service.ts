import type { apiKeySummary, apiKeysContract } from "@tenantry/contracts/api-keys";
import type { Database, Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { apiKeys } from "@tenantry/db/schema/api-keys";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { z } from "zod";
import type { ApiKeyActor } from "../actor";
import { readThrough } from "../invalidation/cache";
import { cacheOf } from "../invalidation/listener";
import { base64url, randomBytes, sha256Hex } from "../shared/crypto";
import { notFound } from "../shared/errors";
import { prepared } from "../shared/prepared";
import type { ServiceContext } from "../shared/service-context";

export type ApiKeySummary = z.infer<typeof apiKeySummary>;
type CreateApiKeyInput = z.infer<typeof apiKeysContract.create.input>;
type CreatedApiKey = z.infer<typeof apiKeysContract.create.output>;

export const API_KEY_PREFIX = "tnt_sk_";
/** A key is `tnt_sk_` and 43 base64url characters (32 random bytes). */
export const API_KEY_PATTERN = /^tnt_sk_[A-Za-z0-9_-]{32,128}$/;
/** last_used_at is written at most this often per key, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${base64url(randomBytes(32))}`;
}

export function hashApiKey(plaintext: string): Promise<string> {
  return sha256Hex(plaintext);
}

/**
 * Stores a key (generated unless given) and answers its plaintext once. `(db, …)`: bootstrap, the
 * CLI and tests make keys before any caller exists; the API's way is `createWorkspaceApiKey`.
 */
export async function createApiKey(
  db: Executor,
  options: { workspaceId: string; name: string; plaintext?: string },
): Promise<CreatedApiKey> {
  const key = options.plaintext ?? generateApiKey();
  const id = newId("key");
  const [row] = await db
    .insert(apiKeys)
    .values({
      workspaceId: options.workspaceId,
      id,
      name: options.name,
      prefix: key.slice(0, API_KEY_PREFIX.length + 6),
      keyHash: await hashApiKey(key),
    })
    .returning();
  return { id, name: row!.name, prefix: row!.prefix, key, createdAt: row!.createdAt.toISOString() };
}

/** A key the caller asked for, in the caller's workspace. */
export function createWorkspaceApiKey(ctx: ServiceContext, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  return createApiKey(ctx.db, { workspaceId: ctx.actor.workspaceId, name: input.name });
}

/**
 * Resolves a presented key to its workspace; null for unknown, revoked or expired keys (at `at`).
 * `(db, …)`: this is how a request gets its actor.
 */
export async function authenticateApiKey(
  db: Database,
  presented: string,
  at: Date,
  /** The call's invalidation cache position (see Context). */
  since?: number,
): Promise<ApiKeyActor | null> {
  if (!API_KEY_PATTERN.test(presented)) return null;
  const keyHash = await hashApiKey(presented);
  // Cached per process (invalidation/): a revocation notifies every process in its own transaction.
  const row = await readThrough(
    cacheOf(db),
    `api_key:${keyHash}`,
    async () => {
      const [found] = await prepared(db, "api_key_by_hash", (d) =>
        d
          .select({
            workspaceId: apiKeys.workspaceId,
            id: apiKeys.id,
            lastUsedAt: apiKeys.lastUsedAt,
            expiresAt: apiKeys.expiresAt,
            revokedAt: apiKeys.revokedAt,
          })
          .from(apiKeys)
          .where(eq(apiKeys.keyHash, sql.placeholder("hash")))
          .limit(1)
          .prepare("api_key_by_hash"),
      ).execute({ hash: keyHash });
      return found ? { ...found } : null;
    },
    (found) => found?.workspaceId ?? null,
    since,
  );
  if (!row || row.revokedAt) return null;
  const now = at.getTime();
  if (row.expiresAt && row.expiresAt.getTime() <= now) return null;
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    const before = row.lastUsedAt;
    // The cached row too (last_used_at notifies nobody), so the next minute's requests do not write.
    row.lastUsedAt = at;
    await db
      .update(apiKeys)
      .set({ lastUsedAt: at })
      .where(
        and(
          eq(apiKeys.workspaceId, row.workspaceId),
          eq(apiKeys.id, row.id),
          or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now - LAST_USED_RESOLUTION_MS))),
        ),
      )
      .catch((error: unknown) => {
        row.lastUsedAt = before;
        throw error;
      });
  }
  return { type: "api_key", workspaceId: row.workspaceId, apiKeyId: row.id };
}

export async function listApiKeys(ctx: ServiceContext): Promise<ApiKeySummary[]> {
  const rows = await ctx.db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.workspaceId, ctx.actor.workspaceId))
    .orderBy(desc(apiKeys.id));
  return rows.map(toSummary);
}

export async function revokeApiKey(
  ctx: ServiceContext,
  { id }: z.infer<typeof apiKeysContract.revoke.input>,
): Promise<ApiKeySummary> {
  const [row] = await ctx.db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(and(eq(apiKeys.workspaceId, ctx.actor.workspaceId), eq(apiKeys.id, id)))
    .returning();
  if (!row) throw notFound("API key", id);
  return toSummary(row);
}

function toSummary(row: typeof apiKeys.$inferSelect): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
