import { workspacesContract } from "@tenantry/contracts/workspaces";
import { procedure, router, WORKSPACE } from "../trpc";
import { listAllowedOrigins, putAllowedOrigins } from "./allowed-origins";
import { getTestTenant, mintTestTenantToken, putTestTenant } from "./test-tenant";

const tags = ["Test tenant"];

export const workspacesRouter = router({
  getTestTenant: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/test-tenant", tags, summary: "The test tenant's settings" },
    })
    .input(workspacesContract.getTestTenant.input)
    .output(workspacesContract.getTestTenant.output)
    .query(({ ctx }) => getTestTenant(ctx)),

  putTestTenant: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PUT",
        path: "/test-tenant",
        tags,
        summary: "Set the test tenant's internal id, name and fields",
      },
    })
    .input(workspacesContract.putTestTenant.input)
    .output(workspacesContract.putTestTenant.output)
    .mutation(({ ctx, input }) => putTestTenant(ctx, input)),

  mintTestTenantToken: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/test-tenant/token",
        status: 201,
        tags,
        summary: "Mint a short-lived access token for the test tenant",
      },
    })
    .input(workspacesContract.mintTestTenantToken.input)
    .output(workspacesContract.mintTestTenantToken.output)
    .mutation(({ ctx, input }) => mintTestTenantToken(ctx, input)),

  getAllowedOrigins: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "GET",
        path: "/allowed-origins",
        tags: ["Workspace"],
        summary: "The browser origins widgets may call from",
      },
    })
    .input(workspacesContract.getAllowedOrigins.input)
    .output(workspacesContract.getAllowedOrigins.output)
    .query(({ ctx }) => listAllowedOrigins(ctx)),

  putAllowedOrigins: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PUT",
        path: "/allowed-origins",
        tags: ["Workspace"],
        summary:
          "Replace the browser origins widgets may call from (exact origins, e.g. https://app.example.com)",
      },
    })
    .input(workspacesContract.putAllowedOrigins.input)
    .output(workspacesContract.putAllowedOrigins.output)
    .mutation(({ ctx, input }) => putAllowedOrigins(ctx, input)),
});
