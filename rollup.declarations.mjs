// Bundles a published package's declarations (run from the package's folder, after `tsc` wrote
// them to dist/.declarations): one self-contained .d.ts per entry of package.json's exports.
// tRPC's own declarations are inlined and trimmed to what the API names, so a host type-checks
// with `skipLibCheck: false` without tRPC's server adapters (ws, http) or newer libs (Disposable);
// react, react-query and zod stay imports of the host's own copies.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dts } from "rollup-plugin-dts";

const manifest = JSON.parse(readFileSync("package.json", "utf8"));
const exportsMap = manifest.publishConfig?.exports ?? manifest.exports;
const raw = process.env.DECLARATIONS_DIR ?? "dist/.declarations";
const input = {};
for (const target of Object.values(exportsMap)) {
  const types = typeof target === "object" ? target.types : null;
  if (!types) continue;
  const name = types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, "");
  input[name] = join(raw, `${process.env.DECLARATIONS_SOURCE_PREFIX ?? ""}${name}.d.ts`);
}

export default {
  input,
  output: {
    dir: "dist",
    format: "es",
    entryFileNames: "[name].d.ts",
    chunkFileNames: "chunks/[name]-[hash].d.ts",
  },
  plugins: [dts({ respectExternal: true, compilerOptions: { skipLibCheck: true } })],
  external: [/^react($|\/)/, /^react-dom($|\/)/, /^@tanstack\/react-query($|\/)/, /^zod($|\/)/],
};
