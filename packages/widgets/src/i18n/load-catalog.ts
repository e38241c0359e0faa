import { type Catalog, en, type SupportedLanguage } from "./messages";

/** A catalog by language, as its own chunk: a host pays for Swedish only when it shows Swedish. */
export function loadCatalog(language: SupportedLanguage): Promise<Catalog> {
  if (language === "sv") return import("./sv").then((module) => module.sv);
  return Promise.resolve(en);
}
