import { cpSync, readFileSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { MIGRATIONS_FOLDER } from "@tenantry/db/create-db";
import { build, type Plugin } from "esbuild";

/**
 * The production build of the server and its CLI: `dist/main.js` and `dist/cli.js`, plain ESM that
 * `node` runs without a TypeScript loader. The workspace packages (`@tenantry/*`, which export their
 * TypeScript sources) are bundled in; npm packages stay imports that node resolves from
 * apps/server's node_modules, so native and WebAssembly parts (argon2, PGlite) load as published.
 *
 * `dist/` sits beside `src/` on purpose: paths the sources compute from `import.meta.url` one level
 * below apps/server (the console's `../../console/dist/`) mean the same from the bundle. The SQL
 * migrations, which @tenantry/db finds beside its own sources, are copied to `dist/migrations`,
 * where the bundled `createDb()` looks first.
 */
const serverDir = fileURLToPath(new URL("..", import.meta.url));
export const DIST_DIR = join(serverDir, "dist");

const manifest = JSON.parse(readFileSync(join(serverDir, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
};

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * Bundles `@tenantry/*`, keeps every other bare import external — and refuses one that is not among
 * the server's own dependencies, since node resolves it from apps/server, not from the workspace
 * package that imports it (pnpm does not hoist).
 */
const externalDependencies: Plugin = {
  name: "tenantry-external-dependencies",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === "entry-point" || args.path.startsWith("@tenantry/")) return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const name = packageName(args.path);
      if (!(name in manifest.dependencies)) {
        return {
          errors: [
            {
              text: `"${name}" (imported by ${relative(serverDir, args.importer)}) must be in the "dependencies" of apps/server/package.json: the built server imports it from there`,
            },
          ],
        };
      }
      return { path: args.path, external: true };
    });
  },
};

export async function buildServer(): Promise<void> {
  rmSync(DIST_DIR, { recursive: true, force: true });
  await build({
    absWorkingDir: serverDir,
    entryPoints: { main: "src/main.ts", cli: "src/cli.ts" },
    outdir: DIST_DIR,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    sourcemap: true,
    // The bundle's own code only: every module name in a stack trace stays readable.
    minify: false,
    plugins: [externalDependencies],
    logLevel: "warning",
  });
  // drizzle's migrator reads the journal and the SQL files; the snapshots are drizzle-kit's alone.
  cpSync(MIGRATIONS_FOLDER, join(DIST_DIR, "migrations"), {
    recursive: true,
    filter: (source) => !basename(source).endsWith("_snapshot.json"),
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  await buildServer();
  process.stdout.write(
    `Built ${relative(process.cwd(), DIST_DIR) || "."}/main.js and cli.js in ${Math.round(performance.now() - started)} ms\n`,
  );
}
