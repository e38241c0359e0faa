import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The widgets run in the host's browser: they may import the api package's types, never its code.
 * This builds the real bundle (as `pnpm --filter @tenantry/widgets build` does) and reads it.
 */
const root = fileURLToPath(new URL("..", import.meta.url));
let outDir: string;
let files: { name: string; code: string }[];

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "tenantry-widgets-"));
  await build({
    root,
    configFile: join(root, "vite.config.ts"),
    logLevel: "silent",
    build: { outDir, sourcemap: false },
  });
  files = listFiles(outDir)
    .filter((name) => name.endsWith(".js"))
    .map((name) => ({ name, code: readFileSync(join(outDir, name), "utf8") }));
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the browser bundle", () => {
  it("has the root entry, one entry per widget and one stylesheet", () => {
    const names = listFiles(outDir);
    expect(names).toEqual(
      expect.arrayContaining([
        "index.js",
        "provider.js",
        "tenant-fields-form.js",
        "member-table.js",
        "usage-meter.js",
        "connection-ui.js",
        "styles.css",
      ]),
    );
    const css = readFileSync(join(outDir, "styles.css"), "utf8");
    // Every rule is scoped under the widgets' root class (keyframes and media wrappers aside).
    const selectors = css
      .replace(/@keyframes[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}/g, "")
      .replace(/@media[^{]*\{/g, "")
      .match(/(?:^|\})\s*([^{}@]+)\{/g)!
      .map((rule) => rule.replace(/^\}?\s*/, "").replace(/\{$/, ""))
      .flatMap((list) => list.split(/,(?![^(]*\))/))
      .map((selector) => selector.trim())
      .filter(Boolean);
    expect(selectors.length).toBeGreaterThan(20);
    for (const selector of selectors) expect(selector).toMatch(/^\.tnt-root/);
  });

  it("contains no server code: no node: imports, no postgres, PGlite, drizzle, pino, Ajv or zod", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const { name, code } of files) {
      expect(code, name).not.toMatch(/from\s*["']node:|import\(\s*["']node:|require\(\s*["']node:/);
      expect(code, name).not.toMatch(
        /["'](postgres|pino|ajv|zod|drizzle-orm[^"']*|@electric-sql\/pglite[^"']*)["']/,
      );
      expect(code, name).not.toMatch(/PGlite|drizzle|pino|postgres\.js|ajv/i);
      expect(code, name).not.toMatch(/@tenantry\/(api|db)/);
    }
  });

  it("loads in any bundler: ESM only, no run-time require, every dependency left as an import", () => {
    for (const { name, code } of files) {
      expect(code, name).not.toMatch(/\brequire\(|module\.exports|__commonJS/);
      // A bundled dependency would show its code here instead of an import of the package.
      expect(code, name).not.toMatch(/function useSyncExternalStore|class TRPCClientError/);
    }
    const all = files.map((file) => file.code).join("\n");
    for (const dependency of ["@trpc/client", "@trpc/react-query", "@tanstack/react-table"]) {
      expect(all).toContain(`from "${dependency}"`);
    }
    for (const entry of files.filter((file) => !file.name.includes("/"))) {
      expect(entry.code.startsWith('"use client";'), entry.name).toBe(true);
    }
  });

  it("keeps react, react-dom and react-query external and needs no eval (strict CSP)", () => {
    const all = files.map((file) => file.code).join("\n");
    expect(all).toMatch(/from\s*["']react["']/);
    expect(all).toMatch(/from\s*["']@tanstack\/react-query["']/);
    expect(all).not.toMatch(/function useState\(|createElement=function/);
    expect(all).not.toMatch(/\bnew Function\(|\beval\(/);
  });
});
