import { activityRouter } from "./activity/router";
import { apiKeysRouter } from "./api-keys/router";
import { tenantsRouter } from "./tenants/router";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  tenants: tenantsRouter,
  activity: activityRouter,
  apiKeys: apiKeysRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
