import {
  type Catalog,
  en,
  type MessageKey,
  SUPPORTED_LANGUAGES,
  type SupportedLanguage,
} from "./messages.js";

export type MessageParams = Record<string, string | number>;

export interface I18n {
  /** The BCP 47 locale used for `Intl` (e.g. `sv-SE`), as given by the host or the tenant. */
  locale: string;
  /** The catalog chosen for it. */
  language: SupportedLanguage;
  /** False while that catalog is still loading (the texts are English until then). */
  ready: boolean;
  t(key: MessageKey, params?: MessageParams): string;
  formatNumber(value: number, options?: Intl.NumberFormatOptions): string;
  formatDate(value: Date | string, options?: Intl.DateTimeFormatOptions): string;
}

/** `sv`, `sv-SE`, `sv_FI` → sv; anything without a catalog → en. */
export function languageOf(locale: string | null | undefined): SupportedLanguage {
  const base = (locale ?? "").toLowerCase().split(/[-_]/)[0];
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(base ?? "") ? (base as SupportedLanguage) : "en";
}

function canonicalLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale.replace(/_/g, "-"))[0] ?? "en";
  } catch {
    return "en";
  }
}

/**
 * Texts in `catalog` (English until the locale's own catalog has loaded; see `loadCatalog`) and
 * `Intl` formatting in the locale.
 */
export function createI18n(requestedLocale: string | null | undefined, loaded?: Catalog): I18n {
  const locale = canonicalLocale(requestedLocale || "en");
  const language = languageOf(locale);
  const catalog = loaded ?? en;
  const numberFormats = new Map<string, Intl.NumberFormat>();
  const numberFormat = (options?: Intl.NumberFormatOptions) => {
    const key = JSON.stringify(options ?? {});
    let format = numberFormats.get(key);
    if (!format) {
      format = new Intl.NumberFormat(locale, options);
      numberFormats.set(key, format);
    }
    return format;
  };
  return {
    locale,
    language,
    ready: language === "en" || loaded !== undefined,
    t(key, params) {
      const template = catalog[key] ?? en[key];
      if (!params) return template;
      return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
        const value = params[name];
        if (value === undefined) return whole;
        return typeof value === "number" ? numberFormat().format(value) : value;
      });
    },
    formatNumber: (value, options) => numberFormat(options).format(value),
    formatDate: (value, options) =>
      new Intl.DateTimeFormat(locale, options ?? { dateStyle: "medium" }).format(
        typeof value === "string" ? new Date(value) : value,
      ),
  };
}
