import type { Database } from "@tenantry/db/database";
import { connections } from "@tenantry/db/schema/connections";
import { and, eq, sql } from "drizzle-orm";
import { prepared } from "../shared/prepared";

/** The tenant a connection belongs to, for holding an access token to its own (null: no such connection). */
export async function tenantOfConnection(
  db: Database,
  workspaceId: string,
  id: string,
): Promise<string | null> {
  const statement = prepared(db, "tenant_of_connection", (d) =>
    d
      .select({ tenantId: connections.tenantId })
      .from(connections)
      .where(
        and(
          eq(connections.workspaceId, sql.placeholder("workspaceId")),
          eq(connections.id, sql.placeholder("id")),
        ),
      )
      .prepare("tenant_of_connection"),
  );
  const [row] = await statement.execute({ workspaceId, id });
  return row?.tenantId ?? null;
}
