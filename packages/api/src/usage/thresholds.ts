import type { Transaction } from "@tenantry/db/database";
import { recordActivity } from "../activity/service";
import type { ServiceContext } from "../shared/service-context";

/** Share of the limit at which `usage.threshold_reached` is announced. */
export const USAGE_THRESHOLD = 0.8;

/**
 * Records (and so announces) the 80 % mark and the limit when a record crosses them. Usage in the
 * rolling window only falls as hours leave it, so each mark is announced once per climb to it, not
 * on every record above it.
 */
export async function announceCrossedMarks(
  tx: Transaction,
  ctx: ServiceContext,
  usage: { tenantId: string; metric: string; limit: number; before: number; after: number },
): Promise<void> {
  const crossed = (mark: number) => usage.before < mark && usage.after >= mark;
  const marks = [
    { action: "usage.threshold_reached" as const, mark: usage.limit * USAGE_THRESHOLD },
    { action: "usage.limit_reached" as const, mark: usage.limit },
  ];
  for (const { action, mark } of marks) {
    if (!crossed(mark)) continue;
    await recordActivity(tx, ctx, {
      tenantId: usage.tenantId,
      action,
      targetType: "usage_metric",
      targetId: usage.metric,
      after: { metric: usage.metric, used: usage.after, limit: usage.limit },
    });
  }
}
