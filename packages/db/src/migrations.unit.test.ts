import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");
const journal = JSON.parse(readFileSync(join(migrationsDir, "meta", "_journal.json"), "utf8")) as {
  entries: { idx: number; when: number; tag: string }[];
};

/**
 * The migrator applies only migrations whose `when` is after the newest one a database has: a
 * migration numbered later but dated earlier (two branches each adding one) would be skipped
 * silently on every database that already had its predecessor.
 */
describe("the migration journal", () => {
  it("numbers and dates every migration in one order", () => {
    journal.entries.forEach((entry, index) => {
      expect(entry.idx).toBe(index);
      expect(entry.tag.startsWith(String(index).padStart(4, "0"))).toBe(true);
      if (index > 0) expect(entry.when).toBeGreaterThan(journal.entries[index - 1]!.when);
    });
  });

  it("has exactly one SQL file and one snapshot per entry", () => {
    const sql = readdirSync(migrationsDir).filter((file) => file.endsWith(".sql"));
    expect(sql.sort()).toEqual(journal.entries.map((entry) => `${entry.tag}.sql`).sort());
    const snapshots = readdirSync(join(migrationsDir, "meta")).filter((file) =>
      file.endsWith("_snapshot.json"),
    );
    expect(snapshots.length).toBe(journal.entries.length);
  });
});
