import { describe, expect, it } from "vitest";
import { type Catalog, canonicalLocale, createMessages, languageOf } from "./i18n.js";

const en = {
  greeting: "Hello {name}",
  "files.one": "{count} file",
  "files.other": "{count} files",
  "only.english": "Only in English",
} as const;
type Key = keyof typeof en;
const sv: Catalog<Key> = {
  greeting: "Hej {name}",
  "files.one": "{count} fil",
  "files.other": "{count} filer",
  "only.english": "",
};
// Polish has more plural categories than English: a catalog may add them.
const pl: Catalog<Key> = {
  greeting: "Cześć {name}",
  "files.one": "{count} plik",
  "files.few": "{count} pliki",
  "files.many": "{count} plików",
  "files.other": "{count} pliku",
  "only.english": "",
};

describe("the shared message format", () => {
  it("fills placeholders, writes numbers in the locale and leaves unknown ones as they are", () => {
    const messages = createMessages("sv-SE", en, sv);
    expect(messages.t("greeting", { name: "Ada" })).toBe("Hej Ada");
    expect(messages.t("greeting")).toBe("Hej {name}");
    expect(messages.t("files", { count: 1234 })).toMatch(/^1\s234 filer$/u);
  });

  it("chooses a plural form by Intl.PluralRules, including categories English lacks", () => {
    const english = createMessages("en", en);
    expect(english.t("files", { count: 1 })).toBe("1 file");
    expect(english.t("files", { count: 0 })).toBe("0 files");
    const polish = createMessages("pl", en, pl);
    expect(polish.t("files", { count: 1 })).toBe("1 plik");
    expect(polish.t("files", { count: 3 })).toBe("3 pliki");
    expect(polish.t("files", { count: 5 })).toBe("5 plików");
    expect(polish.t("files", { count: 1.5 })).toBe("1,5 pliku");
  });

  it("falls back to the source catalog for a text missing at run time, then to the key", () => {
    const partial = { greeting: "Hej {name}" } as unknown as Catalog<Key>;
    const messages = createMessages("sv", en, partial);
    expect(messages.t("files", { count: 2 })).toBe("2 files");
    expect(messages.t("only.english")).toBe("Only in English");
    expect(messages.t("no.such.key" as Key)).toBe("no.such.key");
  });

  it("formats numbers, percentages and dates by Intl in the locale", () => {
    expect(createMessages("en", en).formatPercent(0.87)).toBe("87%");
    expect(createMessages("sv", en, sv).formatPercent(0.87)).toMatch(/^87\s%$/u);
    expect(
      createMessages("en-US", en).formatDate("2026-03-04T12:00:00Z", { dateStyle: "short", timeZone: "UTC" }),
    ).toBe("3/4/26");
    expect(
      createMessages("sv-SE", en, sv).formatDate(new Date("2026-03-04T12:00:00Z"), {
        dateStyle: "medium",
        timeZone: "UTC",
      }),
    ).toBe("4 mars 2026");
  });

  it("reads any spelling of a locale and falls back to the languages it has", () => {
    expect(canonicalLocale("sv_se")).toBe("sv-SE");
    expect(canonicalLocale("not a locale!")).toBe("en");
    expect(canonicalLocale(null)).toBe("en");
    expect(languageOf("sv_FI", ["en", "sv"], "en")).toBe("sv");
    expect(languageOf("de-DE", ["en", "sv"], "en")).toBe("en");
    expect(createMessages("sv_se", en, sv).locale).toBe("sv-SE");
  });
});
