import type { TenantryErrorShape } from "@tenantry/contracts/errors";
import { initTRPC, TRPCError } from "@trpc/server";
import { authenticateAny, authenticateApiKeyOnly } from "./auth/authenticate";
import type { Context } from "./context";
import { describeError } from "./shared/errors";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type Caller = "apiKey" | "accessToken";

/** How a procedure is also served as REST under `/api/v1` and described in the OpenAPI document. */
export interface RestRoute {
  method: HttpMethod;
  /** With `{param}` placeholders naming input fields, e.g. `/tenants/{id}`. */
  path: string;
  summary: string;
  tags: string[];
  /** Success status; 200 unless given (201 for creates, 204 for deletes without a body). */
  status?: 200 | 201 | 204;
}

export interface Meta {
  rest?: RestRoute;
  /** Who may call it: shown in the API reference, enforced by the procedure builder used. */
  callers: Caller[];
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // The router also runs in the browser (Storybook through a local link).
    allowOutsideOfServer: true,
    isDev: false,
    errorFormatter({ shape, error }): TenantryErrorShape {
      const { status, body } = describeError(error);
      return {
        code: shape.code,
        message: body.message,
        data: {
          code: shape.data.code,
          httpStatus: status,
          path: shape.data.path,
          appCode: body.code,
          ...(body.issues ? { issues: body.issues } : {}),
          ...(body.details ? { details: body.details } : {}),
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

/** The host's backend or the console: full access to the key's workspace. */
export const apiKeyProcedure = t.procedure.use(async ({ ctx, next }) =>
  next({ ctx: { ...ctx, actor: await authenticateApiKeyOnly(ctx) } }),
);

/**
 * The host's backend (API key) or a widget (access token). Procedures built on it must call
 * `assertTenantAccess(ctx.actor, tenantId)` and `requirePermission` from `auth/access`.
 */
export const tenantProcedure = t.procedure.use(async ({ ctx, next }) =>
  next({ ctx: { ...ctx, actor: await authenticateAny(ctx) } }),
);

export { TRPCError };
