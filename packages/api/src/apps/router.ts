import { appsContract } from "@tenantry/contracts/apps";
import { procedure, router, WORKSPACE } from "../trpc";
import { archiveApp, createApp, getApp, listApps, listCatalogForTenant, updateApp } from "./service";

const tags = ["Apps"];

export const appsRouter = router({
  create: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "POST", path: "/apps", status: 201, tags, summary: "Add an app to the catalog" },
    })
    .input(appsContract.create.input)
    .output(appsContract.create.output)
    .mutation(({ ctx, input }) => createApp(ctx, input)),

  get: procedure
    .meta({ access: WORKSPACE, rest: { method: "GET", path: "/apps/{id}", tags, summary: "Get an app" } })
    .input(appsContract.get.input)
    .output(appsContract.get.output)
    .query(({ ctx, input }) => getApp(ctx.db, ctx.actor.workspaceId, input.id)),

  list: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/apps", tags, summary: "List the app catalog" },
    })
    .input(appsContract.list.input)
    .output(appsContract.list.output)
    .query(({ ctx }) => listApps(ctx.db, ctx.actor.workspaceId)),

  update: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PATCH",
        path: "/apps/{id}",
        tags,
        summary: "Change an app (a new client secret replaces the old)",
      },
    })
    .input(appsContract.update.input)
    .output(appsContract.update.output)
    .mutation(({ ctx, input }) => updateApp(ctx, input)),

  archive: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "DELETE",
        path: "/apps/{id}",
        tags,
        summary: "Archive an app (existing connections keep working)",
      },
    })
    .input(appsContract.archive.input)
    .output(appsContract.archive.output)
    .mutation(({ ctx, input }) => archiveApp(ctx, input.id)),

  catalog: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "connections:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/apps",
        tags,
        summary: "The apps a tenant can connect to (no OAuth client settings)",
      },
    })
    .input(appsContract.catalog.input)
    .output(appsContract.catalog.output)
    .query(({ ctx }) => listCatalogForTenant(ctx)),
});
