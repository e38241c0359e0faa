import { createMessages, languageOf, type Messages } from "@tenantry/contracts/i18n";
import { en, type MessageKey } from "./messages/en";
import { sv } from "./messages/sv";

export type { MessageKey } from "./messages/en";

/**
 * The console's languages. Both catalogs load up front (the console is not size-budgeted, and the
 * language switch is instant); the format and translator are `@tenantry/contracts/i18n`'s, the same
 * as the widgets'.
 */
export const CONSOLE_LANGUAGES = ["en", "sv"] as const;
export type ConsoleLanguage = (typeof CONSOLE_LANGUAGES)[number];
export const catalogs = { en, sv } as const;

/** `t(key, params)`; a plural family by its base key with a `count` (`t("activity.fieldsSet", { count })`). */
export type Translator = Messages<MessageKey>["t"];

/** `sv`, `sv-SE` → sv; any other locale → en. */
export function consoleLanguageOf(locale: string | null | undefined): ConsoleLanguage {
  return languageOf(locale, CONSOLE_LANGUAGES, "en");
}

export function createTranslator(language: ConsoleLanguage): Translator {
  return createMessages(language, en, catalogs[language]).t;
}
