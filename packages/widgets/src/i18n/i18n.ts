import {
  type Catalog,
  en,
  type MessageKey,
  SUPPORTED_LANGUAGES,
  type SupportedLanguage,
} from "./messages.js";

export type MessageParams = Record<string, string | number>;

/** Messages that vary with a count: `base.one`, `base.other` (and `.few`, … where a language needs them). */
export type PluralMessage = {
  [K in MessageKey]: K extends `${infer Base}.other` ? Base : never;
}[MessageKey];

export interface I18n {
  /** The BCP 47 locale used for `Intl` (e.g. `sv-SE`), as given by the host or the tenant. */
  locale: string;
  /** The catalog chosen for it. */
  language: SupportedLanguage;
  /** False while that catalog is still loading (the texts are English until then). */
  ready: boolean;
  t(key: MessageKey, params?: MessageParams): string;
  /** The form of `base` for `count` by the locale's plural rules ("1 member", "2 members"). */
  plural(base: PluralMessage, count: number, params?: MessageParams): string;
  /** A fraction (0.84) as the locale writes a percentage: "84%" in English, "84 %" in Swedish. */
  formatPercent(fraction: number): string;
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
  let pluralRules: Intl.PluralRules | undefined;
  const t = (key: MessageKey, params?: MessageParams) => {
    const template = catalog[key] ?? en[key];
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === "number" ? numberFormat().format(value) : value;
    });
  };
  return {
    locale,
    language,
    ready: language === "en" || loaded !== undefined,
    t,
    plural(base, count, params) {
      pluralRules ??= new Intl.PluralRules(locale);
      const form = `${base}.${pluralRules.select(count)}`;
      const key = (form in en ? form : `${base}.other`) as MessageKey;
      return t(key, { ...params, count });
    },
    formatPercent: (fraction) =>
      numberFormat({ style: "percent", maximumFractionDigits: 0 }).format(fraction),
    formatNumber: (value, options) => numberFormat(options).format(value),
    formatDate: (value, options) =>
      new Intl.DateTimeFormat(locale, options ?? { dateStyle: "medium" }).format(
        typeof value === "string" ? new Date(value) : value,
      ),
  };
}
