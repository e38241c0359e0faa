import type { WebhookAttempt } from "@tenantry/contracts/webhooks";
import { newId } from "@tenantry/db/ids";
import { webhookAttempts, webhookEndpoints, webhookMessages } from "@tenantry/db/schema/webhooks";
import { and, desc, eq, lt } from "drizzle-orm";
import { actorId } from "../actor";
import { decodeCursor, pageOf } from "../shared/cursor";
import { notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { sendSigned } from "./delivery";
import { signingSecrets, type WebhookContext } from "./endpoints";

async function loadEndpointRow(ctx: ServiceContext, id: string) {
  const [row] = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, ctx.actor.workspaceId), eq(webhookEndpoints.id, id)));
  if (!row) throw notFound("Webhook endpoint", id);
  return row;
}

/** An endpoint's attempts, newest first. */
export async function listWebhookAttempts(
  ctx: ServiceContext,
  input: { id: string; eventId?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ items: WebhookAttempt[]; nextCursor: string | null }> {
  await loadEndpointRow(ctx, input.id);
  const conditions = [
    eq(webhookAttempts.workspaceId, ctx.actor.workspaceId),
    eq(webhookAttempts.endpointId, input.id),
  ];
  if (input.eventId) conditions.push(eq(webhookAttempts.eventId, input.eventId));
  if (input.cursor) conditions.push(lt(webhookAttempts.id, decodeCursor(input.cursor)));
  const rows = await ctx.db
    .select()
    .from(webhookAttempts)
    .where(and(...conditions))
    .orderBy(desc(webhookAttempts.id))
    .limit(input.limit + 1);
  return pageOf(
    rows.map((row) => ({
      id: row.id,
      eventId: row.eventId,
      attemptedAt: row.attemptedAt.toISOString(),
      status: row.status,
      error: row.error,
      latencyMs: row.latencyMs,
      responseExcerpt: row.responseExcerpt,
    })),
    input.limit,
  );
}

/** Sends a message again now, whether it is waiting for its next retry or was given up. */
export async function retryWebhookMessage(ctx: ServiceContext, input: { id: string; eventId: string }) {
  const now = ctx.clock.now();
  const [row] = await ctx.db
    .update(webhookMessages)
    .set({ status: "pending", nextAttemptAt: now, createdAt: now })
    .where(
      and(
        eq(webhookMessages.workspaceId, ctx.actor.workspaceId),
        eq(webhookMessages.endpointId, input.id),
        eq(webhookMessages.eventId, input.eventId),
      ),
    )
    .returning();
  if (!row) throw notFound("Webhook message", input.eventId);
  return {
    endpointId: row.endpointId,
    eventId: row.eventId,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}

/**
 * Sends a signed `webhook_endpoint.test` event to the endpoint now and answers what came back.
 * Nothing is stored: the test is for whoever is setting up the receiver.
 */
export async function testWebhookEndpoint(ctx: WebhookContext, input: { id: string }) {
  const row = await loadEndpointRow(ctx, input.id);
  const now = ctx.clock.now();
  const id = newId("evt");
  const payload = {
    id,
    type: "webhook_endpoint.test",
    createdAt: now.toISOString(),
    tenantId: null,
    actor: { type: ctx.actor.type, id: actorId(ctx.actor) },
    data: { action: "webhook_endpoint.test", object: { type: "webhook_endpoint", id: row.id } },
  };
  return sendSigned(
    { urlPolicy: ctx.webhookUrlPolicy },
    {
      url: row.url,
      secrets: await signingSecrets(ctx.keyring, row, now),
      messageId: id,
      payload: JSON.stringify(payload),
    },
  );
}
