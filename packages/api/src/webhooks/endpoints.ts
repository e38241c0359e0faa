import type { EventType } from "@tenantry/contracts/events";
import type {
  CreateWebhookEndpointInput,
  UpdateWebhookEndpointInput,
  WebhookEndpoint,
} from "@tenantry/contracts/webhooks";
import type { Executor } from "@tenantry/db/database";
import { newId } from "@tenantry/db/ids";
import { webhookEndpoints } from "@tenantry/db/schema/webhooks";
import { and, asc, eq } from "drizzle-orm";
import { recordActivity } from "../activity/service";
import { type Keyring, workspaceAad } from "../secrets/keyring";
import { notFound } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import { checkWebhookUrl, type WebhookUrlPolicy } from "./url-policy";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookContext = ServiceContext & { webhookUrlPolicy: WebhookUrlPolicy };

/** After a rotation the old secret keeps signing for this long, so receivers can switch without a gap. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3_600_000;

/** Each secret is sealed to its endpoint row and its role: copied elsewhere, it does not open. */
export const webhookSecretAad = (
  row: { workspaceId: string; id: string },
  which: "secret" | "previous_secret",
) => workspaceAad(row.workspaceId, `webhook_endpoint:${row.id}:${which}`);

/** `whsec_` + base64 of 32 random bytes: the Standard Webhooks secret format. */
function newSecret(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    types: (row.types as EventType[] | null) ?? null,
    status: row.status,
    disabledReason: row.disabledReason,
    previousSecretExpiresAt: row.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The secrets that sign a message now: the current one, and the previous one within its grace. */
export async function signingSecrets(keyring: Keyring, row: EndpointRow, now: Date): Promise<string[]> {
  const secrets = [await keyring.open(row.secretSealed, webhookSecretAad(row, "secret"))];
  if (row.previousSecretSealed && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now) {
    secrets.push(await keyring.open(row.previousSecretSealed, webhookSecretAad(row, "previous_secret")));
  }
  return secrets;
}

async function lockEndpoint(tx: Executor, workspaceId: string, id: string): Promise<EndpointRow> {
  const [row] = await tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id)))
    .for("update");
  if (!row) throw notFound("Webhook endpoint", id);
  return row;
}

export async function createWebhookEndpoint(
  ctx: WebhookContext,
  input: CreateWebhookEndpointInput,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const url = await checkWebhookUrl(input.url, ctx.webhookUrlPolicy);
  const workspaceId = ctx.actor.workspaceId;
  const id = newId("whep");
  const secret = newSecret();
  const now = ctx.clock.now();
  const secretSealed = await ctx.keyring.seal(secret, webhookSecretAad({ workspaceId, id }, "secret"));
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({
        workspaceId,
        id,
        url: url.href,
        description: input.description || null,
        types: input.types ?? null,
        secretSealed,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const endpoint = toEndpoint(row!);
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "webhook_endpoint.created",
      targetType: "webhook_endpoint",
      targetId: id,
      after: endpoint,
    });
    return { endpoint, secret };
  });
}

export async function listWebhookEndpoints(ctx: ServiceContext): Promise<{ items: WebhookEndpoint[] }> {
  const rows = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.workspaceId, ctx.actor.workspaceId))
    .orderBy(asc(webhookEndpoints.id));
  return { items: rows.map(toEndpoint) };
}

export async function getWebhookEndpoint(
  ctx: ServiceContext,
  input: { id: string },
): Promise<WebhookEndpoint> {
  const [row] = await ctx.db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.workspaceId, ctx.actor.workspaceId), eq(webhookEndpoints.id, input.id)));
  if (!row) throw notFound("Webhook endpoint", input.id);
  return toEndpoint(row);
}

/** Locks the endpoint, applies the change, logs what changed; a change that changes nothing writes nothing. */
async function changeEndpoint(
  ctx: ServiceContext,
  id: string,
  action: "webhook_endpoint.updated" | "webhook_endpoint.disabled" | "webhook_endpoint.enabled",
  change: (row: EndpointRow) => Partial<EndpointRow>,
): Promise<WebhookEndpoint> {
  return ctx.db.transaction(async (tx) => {
    const row = await lockEndpoint(tx, ctx.actor.workspaceId, id);
    const before = toEndpoint(row);
    const next = { ...row, ...change(row) };
    const after = toEndpoint(next);
    if (JSON.stringify(before) === JSON.stringify(after)) return before;
    const updatedAt = ctx.clock.now();
    const [saved] = await tx
      .update(webhookEndpoints)
      .set({ ...change(row), updatedAt })
      .where(and(eq(webhookEndpoints.workspaceId, row.workspaceId), eq(webhookEndpoints.id, id)))
      .returning();
    const endpoint = toEndpoint(saved!);
    const { updatedAt: _before, ...beforeForLog } = before;
    const { updatedAt: _after, ...afterForLog } = endpoint;
    await recordActivity(tx, ctx, {
      tenantId: null,
      action,
      targetType: "webhook_endpoint",
      targetId: id,
      before: beforeForLog,
      after: afterForLog,
    });
    return endpoint;
  });
}

export async function updateWebhookEndpoint(
  ctx: WebhookContext,
  input: UpdateWebhookEndpointInput,
): Promise<WebhookEndpoint> {
  const url =
    input.url === undefined ? undefined : (await checkWebhookUrl(input.url, ctx.webhookUrlPolicy)).href;
  return changeEndpoint(ctx, input.id, "webhook_endpoint.updated", () => ({
    ...(url !== undefined ? { url } : {}),
    ...(input.types !== undefined ? { types: input.types } : {}),
    ...(input.description !== undefined ? { description: input.description || null } : {}),
  }));
}

export function disableWebhookEndpoint(ctx: ServiceContext, input: { id: string }): Promise<WebhookEndpoint> {
  return changeEndpoint(ctx, input.id, "webhook_endpoint.disabled", (row) =>
    row.status === "disabled" ? {} : { status: "disabled", disabledReason: "manual" },
  );
}

export function enableWebhookEndpoint(ctx: ServiceContext, input: { id: string }): Promise<WebhookEndpoint> {
  return changeEndpoint(ctx, input.id, "webhook_endpoint.enabled", () => ({
    status: "enabled",
    disabledReason: null,
  }));
}

export async function deleteWebhookEndpoint(ctx: ServiceContext, input: { id: string }): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const row = await lockEndpoint(tx, ctx.actor.workspaceId, input.id);
    await tx
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.workspaceId, row.workspaceId), eq(webhookEndpoints.id, row.id)));
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "webhook_endpoint.deleted",
      targetType: "webhook_endpoint",
      targetId: row.id,
      before: toEndpoint(row),
    });
  });
}

/**
 * A new secret, shown once; the current one becomes the previous and keeps signing, alongside the
 * new one, for 24 hours (a rotation within that time drops the older previous secret).
 */
export async function rotateWebhookEndpointSecret(
  ctx: ServiceContext,
  input: { id: string },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = newSecret();
  return ctx.db.transaction(async (tx) => {
    const row = await lockEndpoint(tx, ctx.actor.workspaceId, input.id);
    const now = ctx.clock.now();
    const current = await ctx.keyring.open(row.secretSealed, webhookSecretAad(row, "secret"));
    const [saved] = await tx
      .update(webhookEndpoints)
      .set({
        secretSealed: await ctx.keyring.seal(secret, webhookSecretAad(row, "secret")),
        previousSecretSealed: await ctx.keyring.seal(current, webhookSecretAad(row, "previous_secret")),
        previousSecretExpiresAt: new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS),
        updatedAt: now,
      })
      .where(and(eq(webhookEndpoints.workspaceId, row.workspaceId), eq(webhookEndpoints.id, row.id)))
      .returning();
    const endpoint = toEndpoint(saved!);
    await recordActivity(tx, ctx, {
      tenantId: null,
      action: "webhook_endpoint.secret_rotated",
      targetType: "webhook_endpoint",
      targetId: row.id,
      after: { previousSecretExpiresAt: endpoint.previousSecretExpiresAt },
    });
    return { endpoint, secret };
  });
}
