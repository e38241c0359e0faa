import { permissionsContract } from "@tenantry/contracts/permissions";
import { procedure, router, WORKSPACE } from "../trpc";
import {
  createPermission,
  deletePermission,
  getPermission,
  listPermissions,
  updatePermission,
} from "./service";

const tags = ["Permissions"];

/** The host's own permission keys; like roles, managed with the workspace's API key only. */
export const permissionsRouter = router({
  list: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/permissions", tags, summary: "The workspace's own permissions" },
    })
    .input(permissionsContract.list.input)
    .output(permissionsContract.list.output)
    .query(async ({ ctx }) => ({ items: await listPermissions(ctx) })),

  get: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/permissions/{id}", tags, summary: "One permission" },
    })
    .input(permissionsContract.get.input)
    .output(permissionsContract.get.output)
    .query(({ ctx, input }) => getPermission(ctx, input)),

  create: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/permissions",
        status: 201,
        tags,
        summary: "Define a permission of your own, e.g. `invoices:approve`, for roles to hold",
      },
    })
    .input(permissionsContract.create.input)
    .output(permissionsContract.create.output)
    .mutation(({ ctx, input }) => createPermission(ctx, input)),

  update: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "PATCH",
        path: "/permissions/{id}",
        tags,
        summary: "Rename a permission or change its description (the key stays)",
      },
    })
    .input(permissionsContract.update.input)
    .output(permissionsContract.update.output)
    .mutation(({ ctx, input }) => updatePermission(ctx, input)),

  delete: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "DELETE",
        path: "/permissions/{id}",
        status: 204,
        tags,
        summary: "Delete a permission and remove it from every role that holds it",
      },
    })
    .input(permissionsContract.delete.input)
    .output(permissionsContract.delete.output)
    .mutation(({ ctx, input }) => deletePermission(ctx, input)),
});
