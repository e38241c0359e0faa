import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { packAll } from "./pack";
import { run, tail } from "./proc";
import { Report } from "./report";

/**
 * A publish dry run, and nothing is ever published: builds and packs every publishable package, then
 * lints each tarball (the exact bytes a `npm publish` would upload) with publint and
 * @arethetypeswrong/cli. Exits 1 on any error.
 *
 *   pnpm --filter @tenantry/customer-apps dry-run
 */
const here = fileURLToPath(new URL("..", import.meta.url));
const attwBin = join(here, "node_modules", ".bin", "attw");

const started = Date.now();
const report = new Report();
const dest = mkdtempSync(join(tmpdir(), "tenantry-dry-run-"));
try {
  const packed = await packAll(dest, { log: (line) => console.log(`  ${line}`) });
  if (packed.packages.length === 0) report.fail("publishable packages", "none found under packages/*");
  for (const failure of packed.failures) {
    report.fail(`${failure.step} ${failure.name}`, `${failure.command}\n${failure.output}`);
  }
  for (const [name, tarball] of Object.entries(packed.tarballs)) {
    report.pass(`pack ${name}`);
    await lintWithPublint(name, tarball);
    await checkTypes(name, tarball);
  }
} finally {
  rmSync(dest, { recursive: true, force: true });
}
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(report.finish());

/**
 * publint on the tarball itself (not the folder, so what `files` leaves out counts as missing), with
 * `strict`: warnings (e.g. a `types` condition after `import`) are errors too; they break some
 * customers' resolvers, and nothing here is published with a known warning. Suggestions are printed.
 */
async function lintWithPublint(name: string, tarball: string): Promise<void> {
  const bytes = readFileSync(tarball);
  const { messages, pkg } = await publint({
    pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
    strict: true,
  });
  const lines = messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`);
  const errors = messages.filter((m) => m.type === "error");
  if (errors.length > 0) report.fail(`publint ${name}`, lines.join("\n"));
  else report.pass(`publint ${name}`, lines.join("\n"));
}

/**
 * @arethetypeswrong/cli on the tarball with `--profile esm-only`. The packages are ESM only
 * (`"type": "module"`, `import` conditions, no `require`): hosts load them from bundlers (Vite,
 * Next.js) and from Node's ESM loader. The esm-only profile checks exactly those resolutions
 * (`bundler` and `node16` from ESM) and skips `node10` and `node16` from CommonJS, where an
 * ESM-only package is expected to fail (CommonJS callers are not supported; on Node 20.19+ they
 * can still `require()` it). Stylesheet entries (`./styles.css`) have no types by design and are
 * left out. Any problem in the checked resolutions fails.
 */
async function checkTypes(name: string, tarball: string): Promise<void> {
  const manifest = await readPackedManifest(tarball);
  const cssEntries = Object.entries(manifest.exports ?? {})
    .filter(([, target]) => typeof target === "string" && target.endsWith(".css"))
    .map(([subpath]) => subpath);
  const args = [tarball, "--profile", "esm-only", "--format", "ascii", "--no-emoji", "--no-color"];
  if (cssEntries.length > 0) args.push("--exclude-entrypoints", ...cssEntries);
  const result = await run(attwBin, args, { cwd: here, timeoutMs: 120_000 });
  if (result.ok) report.pass(`attw ${name}`);
  else report.fail(`attw ${name}`, tail(result.output, 60));
}

async function readPackedManifest(tarball: string): Promise<{ exports?: Record<string, unknown> }> {
  const result = await run("tar", ["-xzOf", tarball, "package/package.json"], {
    cwd: here,
    timeoutMs: 30_000,
  });
  try {
    const manifest = JSON.parse(result.output) as { exports?: unknown };
    const exports = manifest.exports;
    return typeof exports === "object" && exports !== null && !Array.isArray(exports)
      ? { exports: exports as Record<string, unknown> }
      : {};
  } catch {
    return {};
  }
}
