import { z } from "zod";
import { mutation, query } from "./procedures.js";

export const operatorSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
  /** A disabled operator cannot sign in and has no sessions; enabling them again restores access. */
  status: z.enum(["active", "disabled"]),
  disabledAt: z.string().nullable(),
  /** Their password was reset: they sign in once with the temporary password to choose their own. */
  passwordChangeRequired: z.boolean(),
});

const operatorId = z.strictObject({ id: z.string().min(1).max(100) });

export const operatorsContract = {
  list: query({ input: z.strictObject({}).optional(), output: z.object({ items: z.array(operatorSchema) }) }),
  /** Ends their sessions at once; refused (409) for the workspace's last active operator. */
  disable: mutation({ input: operatorId, output: operatorSchema }),
  enable: mutation({ input: operatorId, output: operatorSchema }),
  /** Answers the operator as they were; refused (409) for the workspace's last active operator. */
  remove: mutation({ input: operatorId, output: operatorSchema }),
  /**
   * Ends their sessions; the old password stops working. The temporary password is shown only in
   * this answer and is good for one sign-in (before `expiresAt`) at which they choose their own.
   */
  resetPassword: mutation({
    input: operatorId,
    output: z.object({ operator: operatorSchema, temporaryPassword: z.string(), expiresAt: z.string() }),
  }),
  /** Signs them out everywhere; an operator revoking their own sessions keeps the one they use. */
  revokeSessions: mutation({
    input: operatorId,
    output: z.object({ operator: operatorSchema, sessionsEnded: z.number().int() }),
  }),
};

/** What `/console/session` (and sign-in, setup) answer: the signed-in operator and the session's CSRF token. */
export const consoleSessionSchema = z.object({
  operator: operatorSchema.pick({ id: true, email: true, name: true }),
  workspaceId: z.string(),
  csrfToken: z.string(),
  expiresAt: z.string(),
});
export type ConsoleSession = z.infer<typeof consoleSessionSchema>;
