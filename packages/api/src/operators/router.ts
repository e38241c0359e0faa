import { operatorsContract } from "@tenantry/contracts/operators";
import type { Actor } from "../actor";
import { procedure, router, WORKSPACE } from "../trpc";
import {
  disableOperator,
  enableOperator,
  removeOperator,
  resetOperatorPassword,
  revokeOperatorSessions,
} from "./lifecycle";
import { listOperators, type Operator } from "./service";

const tags = ["Operators"];
const summary = ({ workspaceId: _, ...operator }: Operator) => operator;

/**
 * The workspace's console operators (accounts are made by the CLI or the setup screen): list,
 * disable and enable, remove, reset a password, sign out everywhere. Every change is in the
 * activity log under its caller.
 */
export const operatorsRouter = router({
  list: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "GET", path: "/operators", tags, summary: "The console's operators" },
    })
    .input(operatorsContract.list.input)
    .output(operatorsContract.list.output)
    .query(async ({ ctx }) => ({
      items: (await listOperators(ctx)).map(summary),
    })),

  disable: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/operators/{id}/disable",
        tags,
        summary: "Disable an operator (their sessions end at once)",
      },
    })
    .input(operatorsContract.disable.input)
    .output(operatorsContract.disable.output)
    .mutation(async ({ ctx, input }) => summary(await disableOperator(ctx, input))),

  enable: procedure
    .meta({
      access: WORKSPACE,
      rest: { method: "POST", path: "/operators/{id}/enable", tags, summary: "Enable a disabled operator" },
    })
    .input(operatorsContract.enable.input)
    .output(operatorsContract.enable.output)
    .mutation(async ({ ctx, input }) => summary(await enableOperator(ctx, input))),

  remove: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "DELETE",
        path: "/operators/{id}",
        tags,
        summary: "Remove an operator and end their sessions",
      },
    })
    .input(operatorsContract.remove.input)
    .output(operatorsContract.remove.output)
    .mutation(async ({ ctx, input }) => summary(await removeOperator(ctx, input))),

  resetPassword: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/operators/{id}/password-reset",
        tags,
        summary: "Reset an operator's password (a temporary one, shown once)",
      },
    })
    .input(operatorsContract.resetPassword.input)
    .output(operatorsContract.resetPassword.output)
    .mutation(async ({ ctx, input }) => {
      const reset = await resetOperatorPassword(ctx, input);
      return { ...reset, operator: summary(reset.operator) };
    }),

  revokeSessions: procedure
    .meta({
      access: WORKSPACE,
      rest: {
        method: "POST",
        path: "/operators/{id}/sessions/revoke",
        tags,
        summary: "End an operator's sessions everywhere",
      },
    })
    .input(operatorsContract.revokeSessions.input)
    .output(operatorsContract.revokeSessions.output)
    .mutation(async ({ ctx, input }) => {
      const revoked = await revokeOperatorSessions(ctx, {
        ...input,
        keepSessionId: ownSession(ctx.actor, input.id),
      });
      return { ...revoked, operator: summary(revoked.operator) };
    }),
});

/** The session an operator is using, when they act on themselves. */
function ownSession(actor: Actor, operatorId: string): string | undefined {
  return actor.type === "operator" && actor.operatorId === operatorId ? actor.sessionId : undefined;
}
