import { connectionsContract } from "@tenantry/contracts/connections";
import { procedure, router, WORKSPACE } from "../trpc";
import {
  createConnection,
  deleteConnection,
  getConnection,
  listTenantConnections,
  readConnectionCredentials,
  reauthorizeConnection,
} from "./service";

const tags = ["Connections"];

export const connectionsRouter = router({
  create: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "connections:write" },
      rest: {
        method: "POST",
        path: "/tenants/{tenantId}/connections",
        status: 201,
        tags,
        summary: "Connect a tenant to an app",
      },
    })
    .input(connectionsContract.create.input)
    .output(connectionsContract.create.output)
    .mutation(({ ctx, input }) => createConnection(ctx, input, ctx)),

  reauthorize: procedure
    .meta({
      access: { tenant: { connection: "id" }, permission: "connections:write" },
      rest: {
        method: "POST",
        path: "/connections/{id}/reauthorize",
        tags,
        summary: "Start a new OAuth2 authorization for a connection (reconnect)",
      },
    })
    .input(connectionsContract.reauthorize.input)
    .output(connectionsContract.reauthorize.output)
    .mutation(({ ctx, input }) => reauthorizeConnection(ctx, input, ctx)),

  listForTenant: procedure
    .meta({
      access: { tenant: { field: "tenantId" }, permission: "connections:read" },
      rest: {
        method: "GET",
        path: "/tenants/{tenantId}/connections",
        tags,
        summary: "A tenant's connections",
      },
    })
    .input(connectionsContract.listForTenant.input)
    .output(connectionsContract.listForTenant.output)
    .query(({ ctx, input }) => listTenantConnections(ctx, input.tenantId)),

  get: procedure
    .meta({
      access: { tenant: { connection: "id" }, permission: "connections:read" },
      rest: {
        method: "GET",
        path: "/connections/{id}",
        tags,
        summary: "Get a connection (never its secrets)",
      },
    })
    .input(connectionsContract.get.input)
    .output(connectionsContract.get.output)
    .query(({ ctx, input }) => getConnection(ctx, input.id)),

  delete: procedure
    .meta({
      access: { tenant: { connection: "id" }, permission: "connections:write" },
      rest: { method: "DELETE", path: "/connections/{id}", tags, summary: "Disconnect and wipe credentials" },
    })
    .input(connectionsContract.delete.input)
    .output(connectionsContract.delete.output)
    .mutation(({ ctx, input }) => deleteConnection(ctx, input.id)),

  credentials: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "GET",
        path: "/connections/{id}/credentials",
        tags,
        summary: "Fresh credentials for the host's backend",
      },
    })
    .input(connectionsContract.credentials.input)
    .output(connectionsContract.credentials.output)
    .query(({ ctx, input }) => readConnectionCredentials(ctx, input.id)),
});
