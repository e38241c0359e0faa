import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, transform } from "esbuild";

/**
 * The widgets' size as a host's bundler builds them: each entry bundled with code splitting on,
 * minified (esbuild) and gzipped (level 9), with the host's own react, react-dom and
 * @tanstack/react-query external and everything else (tRPC client, table, validator, stylesheet)
 * counted. "Up front" is the entry and what it imports statically; "lazy" are the chunks a widget
 * loads on first use (Swedish texts, the JSON Schema validator).
 */
export const WIDGET_SIZE_BUDGET = { upFrontKb: 45, lazyChunkKb: 55 } as const;

const widgets = fileURLToPath(new URL("../", import.meta.url));
export const WIDGET_ENTRIES = {
  provider: "src/entries/provider.ts",
  "tenant-fields-form": "src/entries/tenant-fields-form.ts",
  "member-table": "src/entries/member-table.ts",
  "usage-meter": "src/entries/usage-meter.ts",
  "connection-ui": "src/entries/connection-ui.ts",
  "element-config-form": "src/entries/element-config-form.ts",
  "field-mapping-editor": "src/entries/field-mapping-editor.ts",
  "all widgets (root entry)": "src/entries/index.ts",
} as const;

export interface EntrySize {
  entry: string;
  upFrontMinBytes: number;
  upFrontGzipBytes: number;
  /** Up front, with the stylesheet (which every host links). */
  upFrontWithCssGzipBytes: number;
  lazyChunksGzipBytes: number[];
}

const gz = (text: string | Uint8Array) => gzipSync(text, { level: 9 }).length;

export async function stylesheetGzipBytes(): Promise<number> {
  const css = await transform(readFileSync(`${widgets}src/styles/styles.css`, "utf8"), {
    loader: "css",
    minify: true,
  });
  return gz(css.code);
}

export async function measureEntry(entry: keyof typeof WIDGET_ENTRIES, cssGzip: number): Promise<EntrySize> {
  const result = await build({
    entryPoints: [`${widgets}${WIDGET_ENTRIES[entry]}`],
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
  const key = (path: string) => path.replace(/^.*virtual-out\//, "virtual-out/");
  const outputs = result.metafile.outputs;
  const files = new Map(result.outputFiles.map((file) => [key(file.path), file.contents]));
  const entryOut = Object.keys(outputs).find((path) => outputs[path]!.entryPoint)!;
  const initial = new Set<string>();
  const visit = (path: string) => {
    if (initial.has(key(path))) return;
    initial.add(key(path));
    for (const imported of outputs[path]!.imports)
      if (imported.kind === "import-statement" && !imported.external) visit(imported.path);
  };
  visit(entryOut);
  const sum = (paths: Iterable<string>, size: (contents: Uint8Array) => number) =>
    [...paths].reduce((total, path) => total + size(files.get(path)!), 0);
  const upFrontGzipBytes = sum(initial, gz);
  return {
    entry,
    upFrontMinBytes: sum(initial, (contents) => contents.length),
    upFrontGzipBytes,
    upFrontWithCssGzipBytes: upFrontGzipBytes + cssGzip,
    lazyChunksGzipBytes: [...files.keys()]
      .filter((path) => !initial.has(path))
      .map((path) => gz(files.get(path)!)),
  };
}

export async function measureWidgets(): Promise<{ cssGzipBytes: number; entries: EntrySize[] }> {
  const cssGzipBytes = await stylesheetGzipBytes();
  const entries: EntrySize[] = [];
  for (const entry of Object.keys(WIDGET_ENTRIES) as (keyof typeof WIDGET_ENTRIES)[]) {
    entries.push(await measureEntry(entry, cssGzipBytes));
  }
  return { cssGzipBytes, entries };
}
