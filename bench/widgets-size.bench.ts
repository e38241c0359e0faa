import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, transform } from "esbuild";

/**
 * Issue 5's size budget: each widget entry and all of them together, minified (esbuild) and gzipped
 * (level 9), with react, react-dom and @tanstack/react-query external (the host has them) and the
 * tRPC client, the validator and the stylesheet included. Target: all together under 45 KB.
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
  const result = await build({
    entryPoints: [`${widgets}${entry}`],
    absWorkingDir: widgets,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    write: false,
    external: ["react", "react/*", "react-dom", "react-dom/*", "@tanstack/react-query"],
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "error",
  });
  const js = result.outputFiles[0]!.contents;
  const withCss = gz(js) + gz(css);
  total = withCss;
  console.log(
    `${name.padEnd(26)} ${kb(js.length).padStart(6)} KB min  ${kb(gz(js)).padStart(5)} KB gzip  ` +
      `${kb(withCss).padStart(5)} KB gzip with CSS`,
  );
}
console.log(
  `all together: ${kb(total)} KB gzip (budget ${BUDGET_KB} KB: ${total <= BUDGET_KB * 1024 ? "within" : "OVER"})`,
);
