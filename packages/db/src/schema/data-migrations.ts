import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Data migrations (TypeScript, run after the SQL migrations at start-up and by `tenantry migrate`)
 * that have finished: one row each, written only once nothing is left for them to do.
 */
export const dataMigrations = pgTable("data_migrations", {
  name: text().primaryKey(),
  completedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
