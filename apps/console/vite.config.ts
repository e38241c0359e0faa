import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const widgets = (path: string) => fileURLToPath(new URL(`../../packages/widgets/${path}`, import.meta.url));

/** The console's build, served by apps/server at `/`. The widgets are used from source in the repo. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: [
      { find: "@tenantry/widgets/styles.css", replacement: widgets("src/styles/styles.css") },
      { find: /^@tenantry\/widgets$/, replacement: widgets("src/entries/index.ts") },
    ],
  },
  build: {
    outDir: fileURLToPath(new URL("dist", import.meta.url)),
    emptyOutDir: true,
    // One small stylesheet and a few scripts: CSP `style-src 'self'` and `script-src 'self'` hold.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1000,
  },
});
