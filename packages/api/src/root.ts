import { accessTokensRouter } from "./access-tokens/router";
import { activityRouter } from "./activity/router";
import { apiKeysRouter } from "./api-keys/router";
import { appsRouter } from "./apps/router";
import { connectionsRouter } from "./connections/router";
import { elementsRouter, elementTemplatesRouter } from "./elements/router";
import { eventsRouter } from "./events/router";
import { fieldsRouter } from "./fields/router";
import { membersRouter } from "./members/router";
import { operatorsRouter } from "./operators/router";
import { permissionsRouter } from "./permissions/router";
import { assertEveryProcedureDeclaresAccess } from "./procedures";
import { rolesRouter } from "./roles/router";
import { signingKeysRouter } from "./signing-keys/router";
import { tenantsRouter } from "./tenants/router";
import { createCallerFactory, router } from "./trpc";
import { usageRouter } from "./usage/router";
import { webhookEndpointsRouter } from "./webhooks/router";
import { workspacesRouter } from "./workspaces/router";

export const appRouter = router({
  tenants: tenantsRouter,
  activity: activityRouter,
  apiKeys: apiKeysRouter,
  fields: fieldsRouter,
  signingKeys: signingKeysRouter,
  accessTokens: accessTokensRouter,
  workspaces: workspacesRouter,
  members: membersRouter,
  roles: rolesRouter,
  permissions: permissionsRouter,
  usage: usageRouter,
  apps: appsRouter,
  connections: connectionsRouter,
  elementTemplates: elementTemplatesRouter,
  elements: elementsRouter,
  operators: operatorsRouter,
  events: eventsRouter,
  webhookEndpoints: webhookEndpointsRouter,
});

// Every procedure declares who may call it; the server does not start otherwise.
assertEveryProcedureDeclaresAccess(appRouter);

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
