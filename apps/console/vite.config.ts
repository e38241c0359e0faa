import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const widgets = (path: string) => fileURLToPath(new URL(`../../packages/widgets/${path}`, import.meta.url));

const FIRST_REQUESTS = "src/first-requests.ts";

/**
 * src/first-requests.ts as its own tiny chunk, named by a script tag ahead of the app's: it starts the
 * session and first tenants page requests while the browser still fetches and parses the app (which
 * imports the same module, so there is one instance). Build only; in dev the app's import runs it.
 */
function firstRequestsChunk(): Plugin {
  let ref = "";
  return {
    name: "tenantry-first-requests",
    apply: "build",
    buildStart() {
      ref = this.emitFile({
        type: "chunk",
        id: fileURLToPath(new URL(FIRST_REQUESTS, import.meta.url)),
        preserveSignature: "allow-extension",
      });
    },
    transformIndexHtml: {
      order: "post",
      handler(_html, ctx) {
        // The chunk that holds the module (the app imports it from there), not the entry's facade.
        const file = Object.values(ctx.bundle ?? {}).find(
          (chunk) =>
            chunk.type === "chunk" &&
            !chunk.isEntry &&
            chunk.moduleIds.some((id) => id.endsWith(FIRST_REQUESTS)) &&
            chunk.moduleIds.length === 1,
        );
        if (!ref || !file) throw new Error("the first-requests chunk is missing from the build");
        return [
          { tag: "script", attrs: { type: "module", src: `/${file.fileName}` }, injectTo: "head-prepend" },
        ];
      },
    },
  };
}

/** The console's build, served by apps/server at `/`. The widgets are used from source in the repo. */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react(), firstRequestsChunk()],
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
