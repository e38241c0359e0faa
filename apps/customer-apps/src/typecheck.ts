import { join } from "node:path";
import { parseTscErrors, type TscError } from "./expect-errors";
import { type RunResult, run, tail } from "./proc";

export interface TypecheckResult {
  ok: boolean;
  details: string;
  /** Each tsconfig's errors, for the type tests to compare against. */
  errors: Map<string, TscError[]>;
}

/** Where an error sits: the app's own files, one of ours (@tenantry/*), or another package. */
function origin(file: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  return match ? match[1]! : "the app's own files";
}

/**
 * "file\n  Imported via … from file 'importer'" lines of `tsc --explainFiles`: who pulled each file
 * into the program. Paths as tsc prints them (relative to the app).
 */
function importers(output: string): Map<string, string[]> {
  const by = new Map<string, string[]>();
  let current: string | null = null;
  for (const line of output.split("\n")) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      current = / error TS\d+:/.test(line) ? null : line.trim();
      continue;
    }
    const from = / from file '([^']+)'/.exec(line);
    if (current && from) by.set(current, [...(by.get(current) ?? []), from[1]!]);
  }
  return by;
}

/** The shortest import chain from a @tenantry/* file or an app file down to `file`. */
function chainTo(file: string, by: Map<string, string[]>): string[] {
  const seen = new Set([file]);
  let paths: string[][] = [[file]];
  for (let depth = 0; depth < 30 && paths.length > 0; depth++) {
    const next: string[][] = [];
    for (const path of paths) {
      for (const importer of by.get(path[path.length - 1]!) ?? []) {
        if (seen.has(importer)) continue;
        seen.add(importer);
        const longer = [...path, importer];
        if (importer.includes("node_modules/@tenantry/") || !importer.includes("node_modules/"))
          return longer;
        next.push(longer);
      }
    }
    paths = next;
  }
  return [];
}

const short = (file: string) => file.replace(/^.*node_modules\//, "");

/**
 * `tsc --noEmit` on each of the app's tsconfigs, as the customer's CI would run it. On errors, says
 * where each comes from, and for errors in another package's types, through which import chain
 * (from one of ours, or from the app) they were reached: `--explainFiles` tells.
 */
export async function typecheck(dir: string, tsconfigs: string[]): Promise<TypecheckResult> {
  const tsc = join(dir, "node_modules", ".bin", "tsc");
  const errors = new Map<string, TscError[]>();
  const sections: string[] = [];
  let ok = true;
  for (const tsconfig of tsconfigs) {
    const result: RunResult = await run(
      tsc,
      ["--noEmit", "--pretty", "false", "--explainFiles", "-p", tsconfig],
      {
        cwd: dir,
        timeoutMs: 300_000,
      },
    );
    const found = parseTscErrors(result.output, dir);
    errors.set(tsconfig, found);
    if (result.ok) continue;
    ok = false;
    if (found.length === 0) {
      sections.push(`${tsconfig}: tsc failed\n${tail(result.output)}`);
      continue;
    }
    const by = importers(result.output);
    const groups = new Map<string, TscError[]>();
    for (const error of found) {
      const key = origin(error.relative);
      groups.set(key, [...(groups.get(key) ?? []), error]);
    }
    const lines = [`${tsconfig}: ${found.length} error(s)`];
    for (const [where, list] of groups) {
      let heading = `  in ${where}`;
      if (where !== "the app's own files" && !where.startsWith("@tenantry/")) {
        const chain = chainTo(list[0]!.relative, by);
        if (chain.length > 0) heading += `, reached via ${chain.map(short).reverse().join(" → ")}`;
      }
      lines.push(`${heading}:`);
      for (const e of list) lines.push(`    ${e.relative}(${e.line}): ${e.code} ${e.message}`);
    }
    sections.push(lines.join("\n"));
  }
  return { ok, details: sections.join("\n"), errors };
}
