import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, transform } from "esbuild";

/**
 * Issue 5's size budget: each widget entry and all of them together, minified (esbuild) and gzipped
 * (level 9), with react, react-dom and @tanstack/react-query external (the host has them) and the
 * tRPC client and the stylesheet included. Target: all together under 45 KB up front; the chunks a
 * widget loads on first use (Swedish texts, the JSON Schema validator) are reported beside it.
 */
const widgets = fileURLToPath(new URL("../packages/widgets/", import.meta.url));
const entries = {
  provider: "src/entries/provider.ts",
  "tenant-fields-form": "src/entries/tenant-fields-form.ts",
  "member-table": "src/entries/member-table.ts",
  "usage-meter": "src/entries/usage-meter.ts",
  "connection-ui": "src/entries/connection-ui.ts",
  "element-config-form": "src/entries/element-config-form.ts",
  "field-mapping-editor": "src/entries/field-mapping-editor.ts",
  "all widgets (root entry)": "src/entries/index.ts",
};
const BUDGET_KB = 45;

const css = (
  await transform(readFileSync(`${widgets}src/styles/styles.css`, "utf8"), { loader: "css", minify: true })
).code;

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const gz = (text: string | Uint8Array) => gzipSync(text, { level: 9 }).length;

console.log(`stylesheet: ${kb(css.length)} KB min, ${kb(gz(css))} KB gzip`);
let total = 0;
for (const [name, entry] of Object.entries(entries)) {
  // Split as a host's bundler splits: what loads with the page, and the chunks loaded on first use
  // (the Swedish texts, the JSON Schema validator).
  const result = await build({
    entryPoints: [`${widgets}${entry}`],
    absWorkingDir: widgets,
    bundle: true,
    splitting: true,
    outdir: "/virtual-out",
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    write: false,
    metafile: true,
    external: ["react", "react/*", "react-dom", "react-dom/*", "@tanstack/react-query"],
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "error",
  });
  const outputs = result.metafile!.outputs;
  const files = new Map(
    result.outputFiles.map((file) => [file.path.replace(/^.*virtual-out\//, "virtual-out/"), file]),
  );
  const key = (path: string) => path.replace(/^.*virtual-out\//, "virtual-out/");
  const entryOut = Object.keys(outputs).find((path) => outputs[path]!.entryPoint)!;
  // The entry and whatever it imports statically: what the host's page downloads up front.
  const initial = new Set<string>();
  const visit = (path: string) => {
    if (initial.has(key(path))) return;
    initial.add(key(path));
    for (const imported of outputs[path]!.imports)
      if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
  };
  visit(entryOut);
  const gzOf = (paths: Iterable<string>) =>
    [...paths].reduce((sum, path) => sum + gz(files.get(path)!.contents), 0);
  const minOf = (paths: Iterable<string>) =>
    [...paths].reduce((sum, path) => sum + files.get(path)!.contents.length, 0);
  const lazy = [...files.keys()].filter((path) => !initial.has(path));
  const withCss = gzOf(initial) + gz(css);
  total = withCss;
  console.log(
    `${name.padEnd(26)} ${kb(minOf(initial)).padStart(6)} KB min  ${kb(gzOf(initial)).padStart(5)} KB gzip  ` +
      `${kb(withCss).padStart(5)} KB gzip with CSS   + ${kb(gzOf(lazy)).padStart(4)} KB gzip on first use (${lazy.length} chunks)`,
  );
}
console.log(
  `all together, up front: ${kb(total)} KB gzip (budget ${BUDGET_KB} KB: ${total <= BUDGET_KB * 1024 ? "within" : "OVER"})`,
);
