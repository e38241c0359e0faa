import type { TenantryRouter } from "@tenantry/contracts/router";
import { createTRPCReact } from "@trpc/react-query";

/** The typed React bindings every widget uses; the client itself is created by TenantryProvider. */
export const trpc = createTRPCReact<TenantryRouter>();
