import { signingKeysContract } from "@tenantry/contracts/signing-keys";
import { procedure, router, WORKSPACE } from "../trpc";
import { createSigningKey, listSigningKeys, revokeSigningKey } from "./service";

const tags = ["Signing keys"];

export const signingKeysRouter = router({
  create: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/signing-keys",
        status: 201,
        tags,
        summary: "Create a token signing key: an HS256 secret (shown once) or a host's public JWK",
      },
    })
    .input(signingKeysContract.create.input)
    .output(signingKeysContract.create.output)
    .mutation(({ ctx, input }) => createSigningKey(ctx, input)),

  list: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/signing-keys", tags, summary: "List signing keys" },
    })
    .input(signingKeysContract.list.input)
    .output(signingKeysContract.list.output)
    .query(async ({ ctx }) => ({ items: await listSigningKeys(ctx) })),

  revoke: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "DELETE",
        path: "/signing-keys/{id}",
        tags,
        summary: "Revoke a signing key; its tokens stop working on their next request",
      },
    })
    .input(signingKeysContract.revoke.input)
    .output(signingKeysContract.revoke.output)
    .mutation(({ ctx, input }) => revokeSigningKey(ctx, input)),
});
