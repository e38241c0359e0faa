import { readFileSync } from "node:fs";
import type { AppErrorCode } from "@tenantry/contracts/errors";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, statusesOf } from "./error-codes";

const README = new URL("../../../../README.md", import.meta.url);

/** The rows of the README's error table: | `code` | 400, 409 | meaning |. */
function readmeErrorRows(): Map<string, { statuses: number[]; meaning: string }> {
  const text = readFileSync(README, "utf8");
  const section = text.split(/^## Errors$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error("README.md has no ## Errors section");
  const rows = new Map<string, { statuses: number[]; meaning: string }>();
  for (const line of section.split("\n")) {
    // Biome pads the columns, so cells are trimmed.
    const match = line.match(/^\|\s*`([a-z_]+)`\s*\|\s*([\d, ]+?)\s*\|\s*(.+?)\s*\|$/);
    if (!match) continue;
    if (rows.has(match[1]!)) throw new Error(`README.md lists ${match[1]} twice`);
    rows.set(match[1]!, { statuses: match[2]!.split(",").map((s) => Number(s.trim())), meaning: match[3]! });
  }
  return rows;
}

describe("the error code table", () => {
  it("is what the README lists: every code, its statuses and meaning, and nothing else", () => {
    const readme = readmeErrorRows();
    const table = Object.keys(ERROR_CODES) as AppErrorCode[];
    expect([...readme.keys()].sort()).toEqual([...table].sort());
    for (const code of table) {
      expect(readme.get(code), code).toEqual({
        statuses: [...statusesOf(code)],
        meaning: ERROR_CODES[code].meaning,
      });
    }
  });

  it("gives every code an error status and a one-line meaning", () => {
    for (const code of Object.keys(ERROR_CODES) as AppErrorCode[]) {
      expect(statusesOf(code).length, code).toBeGreaterThan(0);
      for (const status of statusesOf(code)) expect(status, code).toBeGreaterThanOrEqual(400);
      expect(ERROR_CODES[code].meaning, code).not.toMatch(/\n|\|/);
    }
  });
});
