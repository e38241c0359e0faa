import { z } from "zod";

/**
 * Emails are unique per workspace by their normalized form: trimmed, NFKC (so full-width and other
 * compatibility look-alikes fold to ASCII), lower case. What is left must be plain ASCII: a local
 * part or domain in another script (`аdmin@…` with a Cyrillic а) is refused rather than guessed at;
 * internationalized domains are accepted in their punycode (xn--) form.
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize("NFKC").toLowerCase();
}

const ASCII_EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

export const memberEmailSchema = z
  .string()
  .max(320)
  .refine((value) => !/[\s\p{C}]/u.test(value.trim()), "must not contain whitespace or control characters")
  .refine(
    (value) => ASCII_EMAIL.test(normalizeEmail(value)),
    "must be a plain ASCII email address such as ada@example.com (internationalized domains in xn-- form)",
  )
  .transform((value) => value.trim());
