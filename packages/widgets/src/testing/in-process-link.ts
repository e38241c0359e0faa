import { type AppRouter, appRouter, createContext } from "@tenantry/api";
import type { Keyring } from "@tenantry/api/server-runtime";
import type { Database } from "@tenantry/db/database";
import { type TRPCLink, unstable_localLink } from "@trpc/client";
import type { TenantryOperationContext } from "../provider/links.js";

export interface InProcessOptions {
  db: Database;
  keyring: Keyring;
  /** Called before each call reaches the router (tests count calls, stories delay them). */
  beforeCall?: (path: string) => Promise<void> | void;
}

/**
 * The real router in this process (Node tests, or the browser in Storybook) in place of HTTP: each
 * call gets a context built from the bearer token the provider attached, as the server would build it.
 * Test and Storybook code only; no widget entry imports it.
 */
export function inProcessLink(options: InProcessOptions): TRPCLink<AppRouter> {
  return (runtime) =>
    ({ op, next }) => {
      const authorization = (op.context as TenantryOperationContext).authorization;
      const local = unstable_localLink({
        router: appRouter,
        createContext: async () => {
          await options.beforeCall?.(op.path);
          return createContext({
            db: options.db,
            keyring: options.keyring,
            header: (name) => (name === "authorization" ? authorization : undefined),
          });
        },
      });
      return local(runtime)({ op, next });
    };
}
