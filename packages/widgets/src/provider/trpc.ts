import type { AppRouter } from "@tenantry/api/root";
import { createTRPCReact } from "@trpc/react-query";

/** The typed React bindings every widget uses; the client itself is created by TenantryProvider. */
export const trpc = createTRPCReact<AppRouter>();
