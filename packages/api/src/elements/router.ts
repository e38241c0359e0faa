import { z } from "zod";
import { apiKeyProcedure, router, tenantProcedure } from "../trpc";
import {
  createOwnElementInput,
  createTemplateInput,
  deployElementInput,
  elementListSchema,
  elementRefInput,
  elementSchema,
  listElementsInput,
  listTemplatesInput,
  patchElementInput,
  resetElementInput,
  resolveElementInput,
  templateListSchema,
  templateRefInput,
  templateSchema,
  updateTemplateInput,
} from "./schemas";
import {
  archiveElement,
  createOwnElement,
  deployElement,
  getElement,
  listElements,
  listExternalFields,
  patchElement,
  resetElement,
  resolveElement,
} from "./service";
import { archiveTemplate, createTemplate, getTemplate, listTemplates, updateTemplate } from "./templates";

const tags = ["Elements"];

export const elementTemplatesRouter = router({
  create: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/element-templates",
        status: 201,
        tags,
        summary: "Define an element template",
      },
    })
    .input(createTemplateInput)
    .output(templateSchema)
    .mutation(({ ctx, input }) => createTemplate(ctx, input)),

  list: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/element-templates", tags, summary: "The workspace's element templates" },
    })
    .input(listTemplatesInput)
    .output(templateListSchema)
    .query(({ ctx, input }) => listTemplates(ctx, input)),

  get: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/element-templates/{id}", tags, summary: "One element template" },
    })
    .input(templateRefInput)
    .output(templateSchema)
    .query(({ ctx, input }) => getTemplate(ctx, input.id)),

  update: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "PATCH",
        path: "/element-templates/{id}",
        tags,
        summary: "Change a template (new revision); every instance follows on the paths it did not override",
      },
    })
    .input(updateTemplateInput)
    .output(templateSchema)
    .mutation(({ ctx, input }) => updateTemplate(ctx, input)),

  archive: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: {
        method: "POST",
        path: "/element-templates/{id}/archive",
        tags,
        summary: "Archive a template; its instances become inactive",
      },
    })
    .input(templateRefInput)
    .output(templateSchema)
    .mutation(({ ctx, input }) => archiveTemplate(ctx, input.id)),
});

export const elementsRouter = router({
  list: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/elements",
        tags,
        summary: "A tenant's elements (filter by connection, template, type)",
      },
    })
    .input(listElementsInput)
    .output(elementListSchema)
    .query(({ ctx, input }) => listElements(ctx, input)),

  resolve: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/elements/resolve",
        tags,
        summary:
          "The tenant's instance of a template (per connection and instance key), created on first access",
      },
    })
    .input(resolveElementInput)
    .output(elementSchema)
    .query(({ ctx, input }) => resolveElement(ctx, input)),

  create: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/elements",
        status: 201,
        tags,
        summary: "Create a tenant's own element (no template)",
      },
    })
    .input(createOwnElementInput)
    .output(elementSchema)
    .mutation(({ ctx, input }) => createOwnElement(ctx, input)),

  deploy: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/elements/deploy",
        tags,
        summary: "Set up an instance (creating it if needed) and validate it against its connection",
      },
    })
    .input(deployElementInput)
    .output(elementSchema)
    .mutation(({ ctx, input }) => deployElement(ctx, input)),

  get: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/elements/{instanceId}",
        tags,
        summary: "One element: effective configuration, overrides, outdated paths, state",
      },
    })
    .input(elementRefInput)
    .output(elementSchema)
    .query(({ ctx, input }) => getElement(ctx, input)),

  patch: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "PATCH",
        path: "/tenants/{tenantId}/elements/{instanceId}",
        tags,
        summary: "Set overrides (JSON Pointer → value); 409 version_conflict on a stale revision",
      },
    })
    .input(patchElementInput)
    .output(elementSchema)
    .mutation(({ ctx, input }) => patchElement(ctx, input)),

  reset: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/elements/{instanceId}/reset",
        tags,
        summary: "Drop overrides (all, or at and below some paths) so they follow the template again",
      },
    })
    .input(resetElementInput)
    .output(elementSchema)
    .mutation(({ ctx, input }) => resetElement(ctx, input)),

  archive: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/elements/{instanceId}/archive",
        tags,
        summary: "Archive an element",
      },
    })
    .input(elementRefInput)
    .output(elementSchema)
    .mutation(({ ctx, input }) => archiveElement(ctx, input)),

  externalFields: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/elements/{instanceId}/external-fields",
        tags,
        summary: "A field mapping's external fields, from its data source for the connection's app",
      },
    })
    .input(elementRefInput)
    .output(
      z.object({
        items: z.array(z.object({ key: z.string(), title: z.string().nullable() })).nullable(),
      }),
    )
    .query(({ ctx, input }) => listExternalFields(ctx, input)),
});
