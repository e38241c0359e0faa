import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const widgets = (path: string) => fileURLToPath(new URL(`../../packages/widgets/${path}`, import.meta.url));

/**
 * The demo's pages. In the repo the widgets are used from source; a real host imports the built
 * package (`@tenantry/widgets` and `@tenantry/widgets/styles.css`) with no aliases.
 */
export default defineConfig({
  root: fileURLToPath(new URL("src/web", import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: [
      { find: "@tenantry/widgets/styles.css", replacement: widgets("src/styles/styles.css") },
      { find: /^@tenantry\/widgets$/, replacement: widgets("src/entries/index.ts") },
    ],
  },
  build: { outDir: fileURLToPath(new URL("dist", import.meta.url)), emptyOutDir: true },
});
