import type { StorybookConfig } from "@storybook/react-vite";
import { mergeConfig } from "vite";

/**
 * Storybook for the widgets. Stories run the real router on PGlite inside the browser (see
 * packages/widgets/src/testing/browser-backend.ts), so `pnpm build-storybook` gives a static site
 * that works with no Tenantry server.
 */
const config: StorybookConfig = {
  stories: ["../packages/*/src/**/*.stories.tsx"],
  addons: ["@storybook/addon-a11y"],
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
