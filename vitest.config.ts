import { defineConfig } from "vitest/config";

/**
 * `*.unit.test.ts` need nothing; every other `*.test.ts` runs against a real database: once on
 * in-memory PGlite and, when DATABASE_URL names a PostgreSQL server, once more on fresh databases there.
 */
const integration = ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts"];
const unit = ["packages/*/src/**/*.unit.test.ts", "apps/*/src/**/*.unit.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "unit", include: unit } },
      {
        extends: true,
        test: {
          name: "pglite",
          include: integration,
          exclude: unit,
          env: { TENANTRY_TEST_DRIVER: "pglite" },
        },
      },
      ...(process.env.DATABASE_URL
        ? [
            {
              extends: true as const,
              test: {
                name: "postgres",
                include: integration,
                exclude: unit,
                env: { TENANTRY_TEST_DRIVER: "postgres" },
              },
            },
          ]
        : []),
    ],
  },
});
