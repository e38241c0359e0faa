import type { TenantryErrorShape } from "@tenantry/contracts/errors";
import type { Permission } from "@tenantry/contracts/permissions";
import { initTRPC, TRPCError } from "@trpc/server";
import type { AccessTokenActor } from "./actor";
import { requirePermission } from "./auth/access";
import { authenticateAny, authenticateApiKeyOnly } from "./auth/authenticate";
import { tenantOfConnection } from "./connections/tenant-of";
import type { Context } from "./context";
import { cacheOf } from "./invalidation/listener";
import { describeError, notFound } from "./shared/errors";
import { runGuarded } from "./shared/input-guard";
import { installPlainErrorMessages } from "./shared/zod-messages";

// Input problems are told in plain words ("name is required"), the same over tRPC and REST.
installPlainErrorMessages();

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

/**
 * Where a tenant-level procedure's tenant comes from, so an access token is held to its own:
 * `{ field }` — the input names it; `{ connection }` — the input names a connection, whose tenant
 * it is; `"token"` — the procedure acts on the token's own tenant and takes none from the input.
 */
export type TenantSource = { field: string } | { connection: string } | "token";

/**
 * Who may call a procedure, declared once on it and enforced by the builder before the resolver
 * runs. `workspace`: the host's backend (API key) or the console (operator session) only.
 * `tenant`: also a widget's access token, for its own tenant only (another tenant's ids answer
 * 404), holding `permission` (null: any valid token). Workspace callers hold every permission.
 */
export type Access = { workspace: true } | { tenant: TenantSource; permission: Permission | null };

export const WORKSPACE: Access = { workspace: true };

export interface Meta {
  rest?: RestRoute;
  access: Access;
}

export function callersOf(access: Access): Caller[] {
  return "workspace" in access ? ["apiKey"] : ["apiKey", "accessToken"];
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    // The router also runs in the browser (Storybook through a local link).
    allowOutsideOfServer: true,
    isDev: false,
    errorFormatter({ shape, error }): TenantryErrorShape {
      const { status, body, extras } = describeError(error);
      return {
        code: shape.code,
        message: body.message,
        data: {
          code: shape.data.code,
          httpStatus: status,
          path: shape.data.path,
          appCode: body.code,
          ...(body.issues ? { issues: body.issues } : {}),
          ...(extras ? { details: extras } : {}),
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * The one procedure builder, one middleware (each tRPC middleware copies the call's options and
 * context, so the chain is kept short). First the input guard (no NUL, lone surrogate or deep
 * nesting gets further; database errors about bad input become 4xx); then it reads the procedure's
 * declared `meta.access`, authenticates the caller it allows, holds an access token to its own
 * tenant and its permission, and only then lets the input be parsed and the resolver run. A
 * procedure without a declaration is refused here (and `assertEveryProcedureDeclaresAccess` stops
 * the server at start-up).
 */
export const procedure = t.procedure.use(async ({ ctx, meta, getRawInput, next, path }) => {
  // Taken per call (a context may serve many calls): the call's cached reads share one fence after it.
  const since = cacheOf(ctx.db)?.position();
  const rawInput = await getRawInput();
  return runGuarded(rawInput, async () => {
    const access = meta?.access;
    if (!access) throw new Error(`procedure ${path} declares no access`);
    // tRPC merges `ctx` into the context it has; only what is new is passed.
    if ("workspace" in access) {
      return next({ ctx: { actor: await authenticateApiKeyOnly(ctx, since), since } });
    }
    const actor = await authenticateAny(ctx, since);
    if (actor.type === "access_token") {
      await assertTokenTenant(ctx, actor, access.tenant, rawInput);
      if (access.permission) requirePermission(actor, access.permission);
    }
    return next({ ctx: { actor, since } });
  });
});

async function assertTokenTenant(
  ctx: Context,
  actor: AccessTokenActor,
  source: TenantSource,
  rawInput: unknown,
): Promise<void> {
  if (source === "token") return;
  const input = (rawInput ?? {}) as Record<string, unknown>;
  if ("field" in source) {
    const tenantId = input[source.field];
    // Compared before parsing: the tenant id schema has no transform, so what parses is this string.
    if (typeof tenantId !== "string" || tenantId !== actor.tenantId)
      throw notFound("Tenant", String(tenantId));
    return;
  }
  const connectionId = input[source.connection];
  const tenantId =
    typeof connectionId === "string"
      ? await tenantOfConnection(ctx.db, actor.workspaceId, connectionId)
      : null;
  // Another tenant's connection is answered exactly like a missing one.
  if (tenantId !== actor.tenantId) throw notFound("Connection", String(connectionId));
}

export { TRPCError };
