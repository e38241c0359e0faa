import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { StorybookConfig } from "@storybook/react-vite";
import { mergeConfig } from "vite";

// The in-browser database starts from a data directory migrated here, in Node, by the real
// migrator: PGlite's initdb and the migrations in a browser take half a minute on two cores.
const generated = fileURLToPath(new URL("./generated", import.meta.url));
execFileSync(
  "pnpm",
  ["exec", "tsx", "packages/widgets/scripts/make-db-dump.ts", `${generated}/tenantry-db.tar.gz`],
  { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: "inherit" },
);

/**
 * Storybook for the widgets. Stories run the real router on PGlite inside the browser (see
 * packages/widgets/src/testing/browser-backend.ts), so `pnpm build-storybook` gives a static site
 * that works with no Tenantry server.
 */
const config: StorybookConfig = {
  stories: ["../packages/*/src/**/*.stories.tsx"],
  addons: ["@storybook/addon-a11y"],
  staticDirs: ["./generated"],
  framework: { name: "@storybook/react-vite", options: {} },
  core: { disableTelemetry: true },
  // react-docgen walks every imported file, the api package's too, and overflows its stack on some.
  typescript: { reactDocgen: false },
  async viteFinal(viteConfig) {
    return mergeConfig(viteConfig, {
      // PGlite loads its wasm and data files relative to its own module: pre-bundling would move it.
      optimizeDeps: { exclude: ["@electric-sql/pglite"] },
      build: { target: "es2022", chunkSizeWarningLimit: 10_000 },
      worker: { format: "es" },
    });
  },
};

export default config;
