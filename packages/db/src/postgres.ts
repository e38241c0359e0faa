import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { type Database, type DatabaseHandle, registerDriver } from "./database";
import { listenPostgres } from "./listen-postgres";

export interface PostgresOptions {
  url: string;
  /** Pool size per process. */
  max?: number;
}

export function openPostgres(options: PostgresOptions): DatabaseHandle & { client: postgres.Sql } {
  const client = postgres(options.url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: "tenantry" },
  });
  const db = drizzle({ client, casing: "snake_case" }) as unknown as Database;
  registerDriver(db, "postgres");
  return {
    db,
    driver: "postgres",
    client,
    listen: (channel, handlers) => listenPostgres(options.url, channel, handlers),
    close: () => client.end({ timeout: 5 }),
  };
}
