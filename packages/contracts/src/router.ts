import type { TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure } from "@trpc/server";
import type { z } from "zod";
import { accessTokensContract } from "./access-tokens.js";
import { activityContract } from "./activity.js";
import { apiKeysContract } from "./api-keys.js";
import { appsContract } from "./apps.js";
import { connectionsContract } from "./connections.js";
import { elementsContract, elementTemplatesContract } from "./elements.js";
import type { TenantryErrorShape } from "./errors.js";
import { eventsContract } from "./events.js";
import { fieldsContract } from "./fields.js";
import { membersContract } from "./members.js";
import { operatorsContract } from "./operators.js";
import { permissionsContract } from "./permissions.js";
import type { ProcedureContract } from "./procedures.js";
import { rolesContract } from "./roles.js";
import { signingKeysContract } from "./signing-keys.js";
import { tenantsContract } from "./tenants.js";
import { usageContract } from "./usage.js";
import { webhookEndpointsContract } from "./webhooks.js";
import { workspacesContract } from "./workspaces.js";

/** Every procedure of the Tenantry API, by namespace: what the server implements, exactly. */
export const tenantryContract = {
  tenants: tenantsContract,
  activity: activityContract,
  apiKeys: apiKeysContract,
  fields: fieldsContract,
  signingKeys: signingKeysContract,
  accessTokens: accessTokensContract,
  workspaces: workspacesContract,
  members: membersContract,
  roles: rolesContract,
  permissions: permissionsContract,
  usage: usageContract,
  apps: appsContract,
  connections: connectionsContract,
  elementTemplates: elementTemplatesContract,
  elements: elementsContract,
  operators: operatorsContract,
  events: eventsContract,
  webhookEndpoints: webhookEndpointsContract,
};

export type TenantryContract = typeof tenantryContract;

type InputOf<C extends ProcedureContract> = C["input"] extends z.ZodType ? z.input<C["input"]> : undefined;

type ProcedureOf<C extends ProcedureContract> = C["type"] extends "query"
  ? TRPCQueryProcedure<{ input: InputOf<C>; output: z.output<C["output"]>; meta: object }>
  : TRPCMutationProcedure<{ input: InputOf<C>; output: z.output<C["output"]>; meta: object }>;

type RecordOf<T> = {
  [K in keyof T]: T[K] extends ProcedureContract ? ProcedureOf<T[K]> : RecordOf<T[K]>;
};

/**
 * The type of the Tenantry router, derived from the contract alone: give it to `@trpc/client` or
 * `@trpc/react-query` (`createTRPCClient<TenantryRouter>`). It names no server code, so a host's
 * type-check never reaches the server, drizzle or Node's types.
 */
export type TenantryRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: TenantryErrorShape; transformer: false },
  RecordOf<TenantryContract>
>;
