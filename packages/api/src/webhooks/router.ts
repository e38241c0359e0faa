import { webhookEndpointsContract as contract } from "@tenantry/contracts/webhooks";
import { procedure, router, WORKSPACE } from "../trpc";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  disableWebhookEndpoint,
  enableWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookEndpointSecret,
  updateWebhookEndpoint,
} from "./endpoints";
import { listWebhookAttempts, retryWebhookMessage, testWebhookEndpoint } from "./messages";

const tags = ["Webhooks"];

export const webhookEndpointsRouter = router({
  create: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/webhook-endpoints",
        status: 201,
        tags,
        summary: "Add a webhook endpoint (its signing secret is shown once)",
      },
    })
    .input(contract.create.input)
    .output(contract.create.output)
    .mutation(({ ctx, input }) => createWebhookEndpoint(ctx, input)),

  list: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/webhook-endpoints", tags, summary: "List webhook endpoints" },
    })
    .input(contract.list.input)
    .output(contract.list.output)
    .query(({ ctx }) => listWebhookEndpoints(ctx)),

  get: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/webhook-endpoints/{id}", tags, summary: "Get a webhook endpoint" },
    })
    .input(contract.get.input)
    .output(contract.get.output)
    .query(({ ctx, input }) => getWebhookEndpoint(ctx, input)),

  update: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PATCH",
        path: "/webhook-endpoints/{id}",
        tags,
        summary: "Change a webhook endpoint's URL, event types or description",
      },
    })
    .input(contract.update.input)
    .output(contract.update.output)
    .mutation(({ ctx, input }) => updateWebhookEndpoint(ctx, input)),

  disable: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/webhook-endpoints/{id}/disable",
        tags,
        summary: "Stop delivering to a webhook endpoint",
      },
    })
    .input(contract.disable.input)
    .output(contract.disable.output)
    .mutation(({ ctx, input }) => disableWebhookEndpoint(ctx, input)),

  enable: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/webhook-endpoints/{id}/enable",
        tags,
        summary: "Deliver to a webhook endpoint again",
      },
    })
    .input(contract.enable.input)
    .output(contract.enable.output)
    .mutation(({ ctx, input }) => enableWebhookEndpoint(ctx, input)),

  delete: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "DELETE",
        path: "/webhook-endpoints/{id}",
        status: 204,
        tags,
        summary: "Delete a webhook endpoint and its pending messages",
      },
    })
    .input(contract.delete.input)
    .output(contract.delete.output)
    .mutation(({ ctx, input }) => deleteWebhookEndpoint(ctx, input)),

  rotateSecret: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/webhook-endpoints/{id}/rotate-secret",
        tags,
        summary: "A new signing secret, shown once; the old one keeps signing alongside it for 24 h",
      },
    })
    .input(contract.rotateSecret.input)
    .output(contract.rotateSecret.output)
    .mutation(({ ctx, input }) => rotateWebhookEndpointSecret(ctx, input)),

  attempts: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "GET",
        path: "/webhook-endpoints/{id}/attempts",
        tags,
        summary: "An endpoint's delivery attempts, newest first",
      },
    })
    .input(contract.attempts.input)
    .output(contract.attempts.output)
    .query(({ ctx, input }) => listWebhookAttempts(ctx, input)),

  retryMessage: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/webhook-endpoints/{id}/messages/{eventId}/retry",
        tags,
        summary: "Send an event's message to the endpoint again now",
      },
    })
    .input(contract.retryMessage.input)
    .output(contract.retryMessage.output)
    .mutation(({ ctx, input }) => retryWebhookMessage(ctx, input)),

  test: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/webhook-endpoints/{id}/test",
        tags,
        summary: "Send a signed test event to the endpoint now and answer what came back",
      },
    })
    .input(contract.test.input)
    .output(contract.test.output)
    .mutation(({ ctx, input }) => testWebhookEndpoint(ctx, input)),
});
