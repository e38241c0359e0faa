import { type Catalog, catalogs, type MessageKey, type SupportedLanguage } from "./messages";

export type MessageParams = Record<string, string | number>;

export interface I18n {
  /** The BCP 47 locale used for `Intl` (e.g. `sv-SE`), as given by the host or the tenant. */
  locale: string;
  /** The catalog chosen for it. */
  language: SupportedLanguage;
  t(key: MessageKey, params?: MessageParams): string;
  formatNumber(value: number, options?: Intl.NumberFormatOptions): string;
  formatDate(value: Date | string, options?: Intl.DateTimeFormatOptions): string;
}

/** `sv`, `sv-SE`, `sv_FI` → sv; anything without a catalog → en. */
export function languageOf(locale: string | null | undefined): SupportedLanguage {
  const base = (locale ?? "").toLowerCase().split(/[-_]/)[0];
  return base && base in catalogs ? (base as SupportedLanguage) : "en";
}

function canonicalLocale(locale: string): string {
  try {
    return Intl.getCanonicalLocales(locale.replace(/_/g, "-"))[0] ?? "en";
  } catch {
    return "en";
  }
}

export function createI18n(requestedLocale: string | null | undefined): I18n {
  const locale = canonicalLocale(requestedLocale || "en");
  const language = languageOf(locale);
  const catalog: Catalog = catalogs[language];
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
    t(key, params) {
      const template = catalog[key] ?? catalogs.en[key];
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
