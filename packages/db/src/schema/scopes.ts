import { foreignKey, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** An authorization scope: role bindings attach to it. Each tenant gets one when it is created. */
export const scopes = pgTable(
  "scopes",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    kind: text({ enum: ["tenant"] }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
  ],
);
