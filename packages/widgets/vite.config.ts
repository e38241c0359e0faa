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

const manifest = JSON.parse(readFileSync(here("package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

/**
 * Every dependency and peer stays an import: the host's bundler resolves it once (and turns
 * CommonJS such as use-sync-external-store into ESM its own way). Bundling one would ship a copy
 * the host cannot dedupe, and CommonJS inside an ESM file fails at run time in some bundlers.
 */
export const packageExternals = [
  ...Object.keys(manifest.peerDependencies),
  ...Object.keys(manifest.dependencies),
].map((name) => new RegExp(`^${name.replace(/[/.]/g, "\\$&")}($|/)`));

/** Marks each entry as a client module, so a Next.js App Router page can import widgets directly. */
function clientDirective(): Plugin {
  return {
    name: "tenantry-use-client",
    renderChunk(code, chunk) {
      return chunk.isEntry ? { code: `"use client";\n${code}`, map: null } : null;
    },
  };
}

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
  plugins: [react(), stylesheet(), clientDirective()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: { entry: widgetEntries, formats: ["es"] },
    rolldownOptions: {
      external: packageExternals,
      output: { chunkFileNames: "chunks/[name]-[hash].js" },
    },
  },
});
