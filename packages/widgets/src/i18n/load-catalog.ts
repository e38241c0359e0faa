import { type Catalog, en, type SupportedLanguage } from "./messages.js";

/** A catalog by language, as its own chunk: a host pays for Swedish only when it shows Swedish. */
export function loadCatalog(language: SupportedLanguage): Promise<Catalog> {
  if (language === "sv") return import("./sv.js").then((module) => module.sv);
  return Promise.resolve(en);
}
