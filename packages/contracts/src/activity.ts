import { z } from "zod";
import { TENANT_ACTIVITY_ACTIONS } from "./activity-actions.js";
import { pageInput, pageOutput } from "./page.js";
import { query } from "./procedures.js";
import { tenantIdSchema } from "./tenants.js";

export const activitySchema = z.object({
  id: z.string(),
  tenantId: z.string().nullable(),
  actor: z.object({ type: z.string(), id: z.string() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  changes: z.object({ before: z.unknown().optional(), after: z.unknown().optional() }),
  requestId: z.string().nullable(),
  createdAt: z.string(),
});

export const activityContract = {
  listForTenant: query({
    input: z.strictObject({
      tenantId: tenantIdSchema,
      ...pageInput,
      action: z.enum(TENANT_ACTIVITY_ACTIONS).optional().describe("Only this action, e.g. `tenant.updated`."),
    }),
    output: pageOutput(activitySchema),
  }),
};
