import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";
import { type ConsoleLanguage, consoleLanguageOf, createTranslator, type Translator } from "./i18n";

export type ThemeChoice = "system" | "light" | "dark";

interface Prefs {
  language: ConsoleLanguage;
  setLanguage(language: ConsoleLanguage): void;
  theme: ThemeChoice;
  setTheme(theme: ThemeChoice): void;
  t: Translator;
}

const PrefsContext = createContext<Prefs | null>(null);
const LANGUAGE_KEY = "tenantry.console.language";
const THEME_KEY = "tenantry.console.theme";

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private windows may refuse storage; the choice then lasts for this page only.
  }
}

function initialLanguage(): ConsoleLanguage {
  const chosen = stored(LANGUAGE_KEY);
  if (chosen === "en" || chosen === "sv") return chosen;
  return consoleLanguageOf(navigator.language);
}

function initialTheme(): ThemeChoice {
  const chosen = stored(THEME_KEY);
  return chosen === "light" || chosen === "dark" ? chosen : "system";
}

/** The operator's language and theme, kept in this browser. */
export function PrefsProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState(initialLanguage);
  const [theme, setThemeState] = useState(initialTheme);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  useEffect(() => {
    if (theme === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  const value = useMemo<Prefs>(
    () => ({
      language,
      theme,
      t: createTranslator(language),
      setLanguage(next) {
        store(LANGUAGE_KEY, next);
        setLanguageState(next);
      },
      setTheme(next) {
        store(THEME_KEY, next);
        setThemeState(next);
      },
    }),
    [language, theme],
  );
  return <PrefsContext.Provider value={value}>{children}</PrefsContext.Provider>;
}

export function usePrefs(): Prefs {
  const prefs = useContext(PrefsContext);
  if (!prefs) throw new Error("usePrefs outside PrefsProvider");
  return prefs;
}

export function useT(): Translator {
  return usePrefs().t;
}
