import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `pnpm bench`: runs every `*.bench.ts` here in its own process (so one suite's memory and JIT state
 * do not colour the next), or only those named: `pnpm bench tenants usage`.
 */
const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2).filter((arg) => arg !== "--");
const all = readdirSync(here).filter((file) => file.endsWith(".bench.ts"));
// A name picks its own suite (`http` is http.bench.ts, not http-router too), else those it begins.
const picks = (name: string) =>
  all.includes(`${name}.bench.ts`) ? [`${name}.bench.ts`] : all.filter((file) => file.startsWith(name));
const suites = (only.length === 0 ? all : [...new Set(only.flatMap(picks))]).sort();

let failed = false;
for (const suite of suites) {
  console.log(`\n# ${suite}`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join(here, suite)], { stdio: "inherit" });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
