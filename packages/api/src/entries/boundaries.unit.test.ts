import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The API package's doors: others reach it only through its declared entries, no package leans on
 * an app, and a domain's router never takes another router's schemas (those are contracts).
 */
const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const apiPackage = JSON.parse(readFileSync(join(repo, "packages/api/package.json"), "utf8")) as {
  exports: Record<string, string>;
};
const entryNames = Object.keys(apiPackage.exports).map((key) => `@tenantry/api${key.slice(1)}`);

function workspaceDirs(parent: string): string[] {
  return readdirSync(join(repo, parent), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(repo, parent, entry.name, "package.json")))
    .map((entry) => join(parent, entry.name));
}

const SKIPPED = new Set(["node_modules", "dist", "storybook-static", "generated", ".vite"]);

/** Source files under a folder, not descending into installed or built ones. */
function sourceFiles(dir: string): string[] {
  const root = join(repo, dir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED.has(entry.name) ? [] : sourceFiles(join(dir, entry.name));
    return /\.(ts|tsx|mts|mjs|js)$/.test(entry.name) ? [join(root, entry.name)] : [];
  });
}

/** Every `@tenantry/api…` module name a file imports, re-exports or loads lazily. */
function apiSpecifiers(code: string): string[] {
  return [...code.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)["'](@tenantry\/api(?:\/[^"']*)?)["']/g)].map(
    (match) => match[1]!,
  );
}

describe("@tenantry/api is entered only through its declared entries", () => {
  it("declares named entries, each a file of its own, and no wildcard", () => {
    for (const [key, target] of Object.entries(apiPackage.exports)) {
      expect(key, "an entry, not a wildcard").not.toContain("*");
      expect(existsSync(join(repo, "packages/api", target)), target).toBe(true);
    }
  });

  it("is imported by the workspace only through those entries", () => {
    const importers = [
      ...workspaceDirs("apps"),
      ...workspaceDirs("packages").filter((dir) => dir !== join("packages", "api")),
      "bench",
      ".storybook",
    ];
    const outside: string[] = [];
    for (const dir of importers) {
      for (const file of sourceFiles(dir)) {
        for (const specifier of apiSpecifiers(readFileSync(file, "utf8"))) {
          if (!entryNames.includes(specifier)) outside.push(`${relative(repo, file)}: ${specifier}`);
        }
      }
    }
    expect(outside).toEqual([]);
  });

  it("lends its testing entry to tests, test helpers, scripts and benchmarks only", () => {
    const testCode = /\.test\.tsx?$|\/testing\/|\/scripts\/|^bench\//;
    const misplaced: string[] = [];
    for (const dir of [...workspaceDirs("apps"), ...workspaceDirs("packages"), "bench"]) {
      for (const file of sourceFiles(dir)) {
        const path = relative(repo, file);
        if (testCode.test(path)) continue;
        if (apiSpecifiers(readFileSync(file, "utf8")).includes("@tenantry/api/testing")) misplaced.push(path);
      }
    }
    expect(misplaced).toEqual([]);
  });

  it("is held to its entries by module resolution too", () => {
    const require = createRequire(join(repo, "apps/server/package.json"));
    expect(require.resolve("@tenantry/api/testing")).toBe(join(repo, "packages/api/src/entries/testing.ts"));
    expect(() => require.resolve("@tenantry/api/root")).toThrow(/not defined by "exports"/);
  });

  it("finds an import of an undeclared path", () => {
    expect(apiSpecifiers(`import { appRouter } from "@tenantry/api/root";`)).toEqual(["@tenantry/api/root"]);
    expect(apiSpecifiers(`await import("@tenantry/api/testing/harness")`)).toEqual([
      "@tenantry/api/testing/harness",
    ]);
    expect(entryNames).not.toContain("@tenantry/api/root");
  });
});

describe("packages stand on their own", () => {
  it("no package depends on an app", () => {
    const apps = new Set(
      workspaceDirs("apps").map(
        (dir) => (JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")) as { name: string }).name,
      ),
    );
    const leaning: string[] = [];
    for (const dir of workspaceDirs("packages")) {
      const manifest = JSON.parse(readFileSync(join(repo, dir, "package.json"), "utf8")) as Record<
        string,
        Record<string, string> | undefined
      >;
      for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
        for (const name of Object.keys(manifest[field] ?? {})) {
          if (apps.has(name)) leaning.push(`${dir} ${field}: ${name}`);
        }
      }
    }
    expect(apps.size).toBeGreaterThan(0);
    expect(leaning).toEqual([]);
  });

  it("no domain's router imports another domain's router", () => {
    const src = join(repo, "packages/api/src");
    const crossing: string[] = [];
    for (const file of sourceFiles("packages/api/src")) {
      const code = readFileSync(file, "utf8");
      if (relative(src, file) === "root.ts") continue;
      for (const match of code.matchAll(/from\s*["'](\.\.\/[\w-]+\/router)["']/g)) {
        crossing.push(`${relative(repo, file)}: ${match[1]}`);
      }
    }
    expect(crossing).toEqual([]);
  });
});
