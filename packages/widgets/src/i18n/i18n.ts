import {
  createMessages,
  languageOf as languageWithCatalog,
  type Messages,
  type PluralBase,
} from "@tenantry/contracts/i18n";
import {
  type Catalog,
  en,
  type MessageKey,
  SUPPORTED_LANGUAGES,
  type SupportedLanguage,
} from "./messages.js";

export type MessageParams = Record<string, string | number>;

/** Messages that vary with a count: `base.one`, `base.other` (and `.few`, … where a language needs them). */
export type PluralMessage = PluralBase<MessageKey>;

/** The widgets' texts and formats in one locale (the format and translator are `@tenantry/contracts/i18n`'s). */
export interface I18n extends Messages<MessageKey> {
  /** The catalog chosen for the locale. */
  language: SupportedLanguage;
  /** False while that catalog is still loading (the texts are English until then). */
  ready: boolean;
  /** The form of `base` for `count` by the locale's plural rules ("1 member", "2 members"). */
  plural(base: PluralMessage, count: number, params?: MessageParams): string;
}

/** `sv`, `sv-SE`, `sv_FI` → sv; anything without a catalog → en. */
export function languageOf(locale: string | null | undefined): SupportedLanguage {
  return languageWithCatalog(locale, SUPPORTED_LANGUAGES, "en");
}

/**
 * Texts in `loaded` (English until the locale's own catalog has loaded; see `loadCatalog`) and
 * `Intl` formatting in the locale.
 */
export function createI18n(requestedLocale: string | null | undefined, loaded?: Catalog): I18n {
  const messages = createMessages(requestedLocale, en, loaded);
  const language = languageOf(messages.locale);
  return {
    ...messages,
    language,
    ready: language === "en" || loaded !== undefined,
    plural: (base, count, params) => messages.t(base, { ...params, count }),
  };
}
