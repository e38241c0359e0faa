/**
 * The one message format of the widgets and the console, and the small translator both use.
 *
 * A catalog is one language's texts: a flat object from key to text, with `{name}` placeholders.
 * A text that varies with a count is a family of keys, one per plural category the language uses
 * (`members.count.one`, `members.count.other`, and `.few`, `.many`, … where a language has them),
 * and is asked for by its base key with a `count`: `t("members.count", { count })`. The source
 * catalog (English) types the keys; every other catalog must fill the same keys, and a text
 * missing at run time falls back to the source, then to the key itself.
 *
 * Browser-safe and free of dependencies: the widgets' up-front bundle carries it (45 KB budget).
 */

export type MessageParams = Record<string, string | number>;

/** Plural categories a language may add beyond those of the source catalog. */
type ExtraPluralCategory = "zero" | "two" | "few" | "many";

/** The base keys of plural families: `members.count` for `members.count.one` + `members.count.other`. */
export type PluralBase<Key extends string> = Key extends `${infer Base}.other` ? Base : never;

/** One language's texts for the keys of `Key`, plus any plural forms that language needs more. */
export type Catalog<Key extends string> = Readonly<
  Record<Key, string> & Partial<Record<`${PluralBase<Key>}.${ExtraPluralCategory}`, string>>
>;

export interface Messages<Key extends string> {
  /** The BCP 47 locale used for `Intl` (e.g. `sv-SE`). */
  locale: string;
  /** A text; numbers in `params` are written as the locale writes them ("1,234", "1 234"). */
  t(key: Key, params?: MessageParams): string;
  /** The form of a plural family for `params.count`, by the locale's plural rules. */
  t(key: PluralBase<Key>, params: MessageParams & { count: number }): string;
  /** A fraction (0.84) as the locale writes a percentage: "84%" in English, "84 %" in Swedish. */
  formatPercent(fraction: number): string;
  formatNumber(value: number, options?: Intl.NumberFormatOptions): string;
  formatDate(value: Date | string, options?: Intl.DateTimeFormatOptions): string;
}

/** `sv_se` → `sv-SE`; anything `Intl` cannot read → `en`. */
export function canonicalLocale(locale: string | null | undefined): string {
  try {
    return Intl.getCanonicalLocales((locale || "en").replace(/_/g, "-"))[0] ?? "en";
  } catch {
    return "en";
  }
}

/** The language of `locale` that has a catalog (`sv-SE`, `sv_FI` → `sv`), else `fallback`. */
export function languageOf<Language extends string>(
  locale: string | null | undefined,
  languages: readonly Language[],
  fallback: Language,
): Language {
  const base = (locale ?? "").toLowerCase().split(/[-_]/)[0] ?? "";
  return (languages as readonly string[]).includes(base) ? (base as Language) : fallback;
}

/** Texts from `catalog` (falling back to `source`) and `Intl` formatting, both in `locale`. */
export function createMessages<Key extends string>(
  locale: string | null | undefined,
  source: Readonly<Record<Key, string>>,
  catalog?: Catalog<NoInfer<Key>>,
): Messages<Key> {
  const canonical = canonicalLocale(locale);
  const texts = (catalog ?? source) as Readonly<Record<string, string | undefined>>;
  const fallback = source as Readonly<Record<string, string | undefined>>;
  const numberFormats = new Map<string, Intl.NumberFormat>();
  const numberFormat = (options?: Intl.NumberFormatOptions) => {
    const key = JSON.stringify(options ?? {});
    let format = numberFormats.get(key);
    if (!format) {
      format = new Intl.NumberFormat(canonical, options);
      numberFormats.set(key, format);
    }
    return format;
  };
  let pluralRules: Intl.PluralRules | undefined;
  const template = (key: string, count: unknown): string => {
    const plain = texts[key] ?? fallback[key];
    if (plain !== undefined || typeof count !== "number") return plain ?? key;
    pluralRules ??= new Intl.PluralRules(canonical);
    const form = `${key}.${pluralRules.select(count)}`;
    return texts[form] ?? texts[`${key}.other`] ?? fallback[form] ?? fallback[`${key}.other`] ?? key;
  };
  const t = (key: string, params?: MessageParams): string => {
    const text = template(key, params?.count);
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params[name];
      if (value === undefined) return whole;
      return typeof value === "number" ? numberFormat().format(value) : value;
    });
  };
  return {
    locale: canonical,
    t,
    formatPercent: (fraction) =>
      numberFormat({ style: "percent", maximumFractionDigits: 0 }).format(fraction),
    formatNumber: (value, options) => numberFormat(options).format(value),
    formatDate: (value, options) =>
      new Intl.DateTimeFormat(canonical, options ?? { dateStyle: "medium" }).format(
        typeof value === "string" ? new Date(value) : value,
      ),
  };
}
