import { z } from "zod";
import { apiKeyProcedure, router, tenantProcedure } from "../trpc";
import {
  appListSchema,
  appRefInput,
  appSchema,
  catalogInput,
  catalogSchema,
  createAppInput,
  updateAppInput,
} from "./schemas";
import { archiveApp, createApp, getApp, listApps, listCatalogForTenant, updateApp } from "./service";

const tags = ["Apps"];

export const appsRouter = router({
  create: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "POST", path: "/apps", status: 201, tags, summary: "Add an app to the catalog" },
    })
    .input(createAppInput)
    .output(appSchema)
    .mutation(({ ctx, input }) => createApp(ctx, input)),

  get: apiKeyProcedure
    .meta({ callers: ["apiKey"], rest: { method: "GET", path: "/apps/{id}", tags, summary: "Get an app" } })
    .input(appRefInput)
    .output(appSchema)
    .query(({ ctx, input }) => getApp(ctx.db, ctx.actor.workspaceId, input.id)),

  list: apiKeyProcedure
    .meta({
      callers: ["apiKey"],
      rest: { method: "GET", path: "/apps", tags, summary: "List the app catalog" },
    })
    .input(z.strictObject({}).optional())
    .output(appListSchema)
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
    .input(updateAppInput)
    .output(appSchema)
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
    .input(appRefInput)
    .output(appSchema)
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
    .input(catalogInput)
    .output(catalogSchema)
    .query(({ ctx, input }) => listCatalogForTenant(ctx, input.tenantId)),
});
