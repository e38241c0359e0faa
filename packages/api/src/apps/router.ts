import { appsContract } from "@tenantry/contracts/apps";
import { apiKeyProcedure, router, tenantProcedure } from "../trpc";
import { archiveApp, createApp, getApp, listApps, listCatalogForTenant, updateApp } from "./service";

const tags = ["Apps"];

export const appsRouter = router({
  create: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "POST", path: "/apps", status: 201, tags, summary: "Add an app to the catalog" },
    })
    .input(appsContract.create.input)
    .output(appsContract.create.output)
    .mutation(({ ctx, input }) => createApp(ctx, input)),

  get: apiKeyProcedure
    .meta({ callers: ["apiKey"], rest: { method: "GET", path: "/apps/{id}", tags, summary: "Get an app" } })
    .input(appsContract.get.input)
    .output(appsContract.get.output)
    .query(({ ctx, input }) => getApp(ctx.db, ctx.actor.workspaceId, input.id)),

  list: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/apps", tags, summary: "List the app catalog" },
    })
    .input(appsContract.list.input)
    .output(appsContract.list.output)
    .query(({ ctx }) => listApps(ctx.db, ctx.actor.workspaceId)),

  update: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
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

  archive: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
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

  catalog: tenantProcedure
    .meta({
      callers: ["apiKey", "accessToken"],
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/apps",
        tags,
        summary: "The apps a tenant can connect to (no OAuth client settings)",
      },
    })
    .input(appsContract.catalog.input)
    .output(appsContract.catalog.output)
    .query(({ ctx, input }) => listCatalogForTenant(ctx, input.tenantId)),
});
