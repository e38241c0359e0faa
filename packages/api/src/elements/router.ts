import { elementsContract, elementTemplatesContract } from "@tenantry/contracts/elements";
import { procedure, router, WORKSPACE } from "../trpc";
import { getElement, listElements, resolveElement } from "./instances";
import { patchElement, resetElement } from "./overrides";
import { archiveElement, createOwnElement } from "./service";
import { deployElement, listExternalFields } from "./setup";
import { archiveTemplate, createTemplate, getTemplate, listTemplates, updateTemplate } from "./templates";

const tags = ["Elements"];

export const elementTemplatesRouter = router({
  create: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/element-templates",
        status: 201,
        tags,
        summary: "Define an element template",
      },
    })
    .input(elementTemplatesContract.create.input)
    .output(elementTemplatesContract.create.output)
    .mutation(({ ctx, input }) => createTemplate(ctx, input)),

  list: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/element-templates", tags, summary: "The workspace's element templates" },
    })
    .input(elementTemplatesContract.list.input)
    .output(elementTemplatesContract.list.output)
    .query(({ ctx, input }) => listTemplates(ctx, input)),

  get: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/element-templates/{id}", tags, summary: "One element template" },
    })
    .input(elementTemplatesContract.get.input)
    .output(elementTemplatesContract.get.output)
    .query(({ ctx, input }) => getTemplate(ctx, input)),

  update: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PATCH",
        path: "/element-templates/{id}",
        tags,
        summary: "Change a template (new revision); every instance follows on the paths it did not override",
      },
    })
    .input(elementTemplatesContract.update.input)
    .output(elementTemplatesContract.update.output)
    .mutation(({ ctx, input }) => updateTemplate(ctx, input)),

  archive: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/element-templates/{id}/archive",
        tags,
        summary: "Archive a template; its instances become inactive",
      },
    })
    .input(elementTemplatesContract.archive.input)
    .output(elementTemplatesContract.archive.output)
    .mutation(({ ctx, input }) => archiveTemplate(ctx, input)),
});

export const elementsRouter = router({
  list: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "elements:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/elements",
        tags,
        summary: "A tenant's elements (filter by connection, template, type)",
      },
    })
    .input(elementsContract.list.input)
    .output(elementsContract.list.output)
    .query(({ ctx, input }) => listElements(ctx, input)),

  resolve: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "elements:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/elements/resolve",
        tags,
        summary:
          "The tenant's instance of a template (per connection and instance key); until a change creates it, the template's view with id null",
      },
    })
    .input(elementsContract.resolve.input)
    .output(elementsContract.resolve.output)
    .query(({ ctx, input }) => resolveElement(ctx, input)),

  create: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "elements:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/elements",
        status: 201,
        tags,
        summary: "Create a tenant's own element (no template)",
      },
    })
    .input(elementsContract.create.input)
    .output(elementsContract.create.output)
    .mutation(({ ctx, input }) => createOwnElement(ctx, input)),

  deploy: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "elements:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/elements/deploy",
        tags,
        summary: "Set up an instance (creating it if needed) and validate it against its connection",
      },
    })
    .input(elementsContract.deploy.input)
    .output(elementsContract.deploy.output)
    .mutation(({ ctx, input }) => deployElement(ctx, input)),

  get: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "elements:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/elements/{instanceId}",
        tags,
        summary: "One element: effective configuration, overrides, outdated paths, state",
      },
    })
    .input(elementsContract.get.input)
    .output(elementsContract.get.output)
    .query(({ ctx, input }) => getElement(ctx, input)),

  patch: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "elements:write" },
      rest: {
        method: "PATCH",
        path: "/tenants/{tenantId}/elements/{instanceId}",
        tags,
        summary: "Set overrides (JSON Pointer → value); 409 version_conflict on a stale revision",
      },
    })
    .input(elementsContract.patch.input)
    .output(elementsContract.patch.output)
    .mutation(({ ctx, input }) => patchElement(ctx, input)),

  reset: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "elements:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/elements/{instanceId}/reset",
        tags,
        summary: "Drop overrides (all, or at and below some paths) so they follow the template again",
      },
    })
    .input(elementsContract.reset.input)
    .output(elementsContract.reset.output)
    .mutation(({ ctx, input }) => resetElement(ctx, input)),

  archive: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "elements:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/elements/{instanceId}/archive",
        tags,
        summary: "Archive an element",
      },
    })
    .input(elementsContract.archive.input)
    .output(elementsContract.archive.output)
    .mutation(({ ctx, input }) => archiveElement(ctx, input)),

  externalFields: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "elements:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/elements/{instanceId}/external-fields",
        tags,
        summary: "A field mapping's external fields, from its data source for the connection's app",
      },
    })
    .input(elementsContract.externalFields.input)
    .output(elementsContract.externalFields.output)
    .query(({ ctx, input }) => listExternalFields(ctx, input)),
});
