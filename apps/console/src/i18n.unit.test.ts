import { describe, expect, it } from "vitest";
import { catalogs, consoleLanguageOf, createTranslator } from "./i18n";

describe("the console's texts", () => {
  const en = createTranslator("en");
  const sv = createTranslator("sv");

  it("choose the plural form by Intl.PluralRules, in English and Swedish", () => {
    expect(en("activity.fieldsSet", { count: 1 })).toBe("1 value set");
    expect(en("activity.fieldsSet", { count: 2 })).toBe("2 values set");
    expect(en("activity.fieldsSet", { count: 0 })).toBe("0 values set");
    expect(sv("activity.fieldsSet", { count: 1 })).toBe("1 värde satt");
    expect(sv("activity.fieldsSet", { count: 3 })).toBe("3 värden satta");
    expect(en("operators.done.revokeSessions", { count: 1, name: "Grace" })).toBe(
      "Ended 1 session of Grace.",
    );
    expect(sv("operators.done.revokeSessions", { count: 2, name: "Grace" })).toBe(
      "Avslutade 2 sessioner för Grace.",
    );
    expect(en("schema.savedNotFitting", { count: 1 })).toContain("1 stored tenant no longer fits it");
    expect(sv("schema.savedNotFitting", { count: 4 })).toContain("4 sparade tenanter passar inte längre");
  });

  it("write numbers as each language does", () => {
    expect(en("activity.fieldsSet", { count: 1234 })).toBe("1,234 values set");
    // Swedish groups thousands with a (no-break) space.
    expect(sv("activity.fieldsSet", { count: 1234 })).toMatch(/^1\s234 värden satta$/u);
  });

  it("choose Swedish for any Swedish locale and English for the rest", () => {
    expect(consoleLanguageOf("sv-SE")).toBe("sv");
    expect(consoleLanguageOf("sv")).toBe("sv");
    expect(consoleLanguageOf("de-DE")).toBe("en");
    expect(consoleLanguageOf(undefined)).toBe("en");
  });

  it("never fall back to (s) or (er) for a plural", () => {
    for (const catalog of Object.values(catalogs)) {
      for (const [key, text] of Object.entries(catalog)) {
        expect(text, key).not.toMatch(/\((s|er|ar|or)\)/);
      }
    }
  });
});
