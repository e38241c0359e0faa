import { defineConfig } from "vitest/config";

/**
 * `*.unit.test.ts` need nothing; every other `*.test.ts` runs against a real database: once on
 * in-memory PGlite and, when DATABASE_URL names a PostgreSQL server, once more on fresh databases there.
 * `*.dom.test.tsx` render widgets in happy-dom against the real router on PGlite.
 */
const integration = ["packages/*/src/**/*.test.ts", "apps/*/src/**/*.test.ts"];
const unit = ["packages/*/src/**/*.unit.test.ts", "apps/*/src/**/*.unit.test.ts"];
/** Widget tests: a DOM (happy-dom) and the real router on in-memory PGlite through a local link. */
const dom = ["packages/*/src/**/*.dom.test.tsx"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "unit", include: unit } },
      {
        extends: true,
        test: {
          name: "dom",
          include: dom,
          environment: "./packages/widgets/src/testing/happy-dom-node-environment.ts",
          env: { TENANTRY_TEST_DRIVER: "pglite" },
        },
      },
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
