import { normalizeEmail } from "@tenantry/contracts/email";
import { describe, expect, it } from "vitest";
import { z } from "zod";

/**
 * Operators' emails were stored trimmed and lower-cased; they are now looked up by the members'
 * `normalizeEmail`, which folds NFKC first. No stored row needs re-normalizing: the only ways an
 * operator was ever made (the console's setup and `tenantry create-operator`) first required
 * `z.email()`, and these tests hold that every address it admits is ASCII, where NFKC changes nothing.
 */
const oldNormalizeEmail = (email: string) => email.trim().toLowerCase();
const operatorEmailCheck = z.email();

describe("operator emails stored before NFKC", () => {
  it("were all ASCII: z.email() refuses every address with another character", () => {
    const lookAlikes = [
      "ｏｐｓ@host.example", // full-width letters (NFKC folds them to ASCII)
      "ops@ｈｏｓｔ.example",
      "ﬁle@host.example", // a ligature
      "оps@host.example", // Cyrillic о
      "ops@hōst.example",
      "\u212Aelvin@host.example", // the Kelvin sign
      "o\u0301ps@host.example", // a combining accent
      "ops\u00A0@host.example",
      "ops@host.example\u3002com",
    ];
    // These are the rows that would be lost: the two normalizations part ways on them.
    expect(normalizeEmail("ｏｐｓ@host.example")).not.toBe(oldNormalizeEmail("ｏｐｓ@host.example"));
    expect(normalizeEmail("ﬁle@host.example")).not.toBe(oldNormalizeEmail("ﬁle@host.example"));
    for (const email of lookAlikes) expect(operatorEmailCheck.safeParse(email).success, email).toBe(false);
    // Every code point outside ASCII, in the local part and in the domain: none gets through.
    for (let code = 0x80; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCharCode(code);
      expect(operatorEmailCheck.safeParse(`a${char}b@host.example`).success).toBe(false);
      expect(operatorEmailCheck.safeParse(`ops@ho${char}st.example`).success).toBe(false);
    }
  });

  it("normalize the same both ways, so their operators find themselves by the new lookup", () => {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
    const accepted = printable
      .map((char) => ` Op${char}s@Host.Example `.trim())
      .filter((email) => operatorEmailCheck.safeParse(email).success);
    expect(accepted.length).toBeGreaterThan(5);
    for (const email of accepted) expect(normalizeEmail(email)).toBe(oldNormalizeEmail(email));
  });
});
