import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { transform } from "esbuild";
import { defineConfig, type Plugin } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The package's entries: the root, plus one per widget so a host pays only for what it imports. */
export const widgetEntries = {
  index: here("src/entries/index.ts"),
  provider: here("src/entries/provider.ts"),
  "tenant-fields-form": here("src/entries/tenant-fields-form.ts"),
  "member-table": here("src/entries/member-table.ts"),
  "usage-meter": here("src/entries/usage-meter.ts"),
  "connection-ui": here("src/entries/connection-ui.ts"),
  "element-config-form": here("src/entries/element-config-form.ts"),
  "field-mapping-editor": here("src/entries/field-mapping-editor.ts"),
};

/** What the host provides (peer dependencies); everything else (tRPC client, validator) is bundled. */
export const peerExternals = [/^react($|\/)/, /^react-dom($|\/)/, /^@tanstack\/react-query($|\/)/];

/** One stylesheet for all widgets, linked by the host (`style-src 'self'` works: no injected styles). */
function stylesheet(): Plugin {
  return {
    name: "tenantry-stylesheet",
    async generateBundle() {
      const { code } = await transform(readFileSync(here("src/styles/styles.css"), "utf8"), {
        loader: "css",
        minify: true,
      });
      this.emitFile({ type: "asset", fileName: "styles.css", source: code });
    },
  };
}

export default defineConfig({
  plugins: [react(), stylesheet()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: { entry: widgetEntries, formats: ["es"] },
    rolldownOptions: {
      external: peerExternals,
      output: { chunkFileNames: "chunks/[name]-[hash].js" },
    },
  },
});
