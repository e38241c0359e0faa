import type { Database } from "@tenantry/db/database";
import { sql } from "drizzle-orm";
import { authenticateApiKey } from "../api-keys/service";
import { createOperator, hasAnyOperator, type Operator } from "./service";

export type FirstOperatorSetup =
  | { result: "created"; operator: Operator }
  /** The API key, the proof of owning the workspace, is not a valid one. */
  | { result: "invalid_api_key" }
  /** The workspace already has an operator: they sign in instead. */
  | { result: "already_set_up" };

/**
 * The console's first operator of a workspace, proven by one of its API keys. There is no actor yet
 * (no session, and the key is a proof rather than the caller), so this is not a procedure: the
 * server's `/console/setup` calls it, with its password hashing (Node's, not Web Crypto). One setup per workspace, even when two browsers submit at once.
 */
export async function setUpFirstOperator(
  db: Database,
  input: { apiKey: string; email: string; name: string; password: string },
  hashPassword: (password: string) => Promise<string>,
  at: Date,
): Promise<FirstOperatorSetup> {
  const key = await authenticateApiKey(db, input.apiKey, at);
  if (!key) return { result: "invalid_api_key" };
  // Hashed only for a valid key: a wrong one costs the server no hashing.
  const passwordHash = await hashPassword(input.password);
  const operator = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`operator-setup:${key.workspaceId}`}))`);
    if (await hasAnyOperator(tx, key.workspaceId)) return null;
    return createOperator(tx, {
      workspaceId: key.workspaceId,
      email: input.email,
      name: input.name,
      passwordHash,
    });
  });
  return operator ? { result: "created", operator } : { result: "already_set_up" };
}
