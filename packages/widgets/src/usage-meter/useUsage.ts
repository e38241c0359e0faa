import type { TenantryRouter } from "@tenantry/contracts/router";
import type { inferRouterOutputs } from "@trpc/server";
import { useMe } from "../provider/TenantryProvider.js";
import { trpc } from "../provider/trpc.js";
import { may } from "../shared/access.js";
import type { Problem } from "../shared/problem.js";

type UsageSummary = inferRouterOutputs<TenantryRouter>["usage"]["list"]["items"][number];

/** Used at or above this share of the limit, a meter warns. */
export const NEAR_LIMIT = 0.8;

export interface UsageItem extends UsageSummary {
  /** used / limit, from 0 to 1; null when unlimited. */
  fraction: number | null;
  nearLimit: boolean;
  atLimit: boolean;
}

export interface UsageState {
  status: "loading" | "error" | "ready";
  items: UsageItem[];
  /** Why the usage could not be shown (see `loadFailedText`). */
  error: unknown;
  retry(): void;
}

/**
 * The signed-in tenant's usage over the rolling 30-day window, per metric (`metrics` picks some),
 * with what a meter needs: the share used and whether it is near or at the limit.
 */
export function useUsage(options: { metrics?: readonly string[] } = {}): UsageState {
  const me = useMe();
  const tenantId = me.data?.tenant.id;
  const allowed = me.data ? may(me.data.permissions, "usage.view") : false;
  const usage = trpc.usage.list.useQuery(
    { tenantId: tenantId ?? "" },
    { enabled: tenantId !== undefined && allowed, refetchInterval: 60_000 },
  );
  // Asking would only be refused: say so in the server's words without the round trip.
  const refused: Problem | null =
    me.data && !allowed ? { code: "forbidden", message: "", details: { permission: "usage:read" } } : null;
  const failure = me.error ?? refused ?? usage.error;
  const items = (usage.data?.items ?? [])
    .filter((item) => !options.metrics || options.metrics.includes(item.metric))
    .map((item): UsageItem => {
      const fraction =
        item.limit === null ? null : item.limit === 0 ? 1 : Math.min(1, item.used / item.limit);
      return {
        ...item,
        fraction,
        nearLimit: fraction !== null && fraction >= NEAR_LIMIT,
        atLimit: item.limit !== null && item.used >= item.limit,
      };
    });
  return {
    status: failure ? "error" : usage.data ? "ready" : "loading",
    items,
    error: failure,
    retry() {
      void me.refetch();
      void usage.refetch();
    },
  };
}
