import { Link, Outlet, useLocation, useNavigate } from "@tanstack/react-router";
import { useEffect } from "react";
import type { ConsoleLanguage } from "../i18n";
import { type ThemeChoice, usePrefs } from "../prefs";
import { signOut, useSession } from "../session";
import { ErrorState, Loading } from "./ui";

/** The signed-in frame: a skip link, the navigation, the operator's menu, and the page. */
export function Shell() {
  const { t, language, setLanguage, theme, setTheme } = usePrefs();
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const signedOut = session.isSuccess && !session.data.session;

  // The session ended while a page was open (expiry, sign-out elsewhere): back to sign-in, then here.
  // The shell stays mounted while that navigation runs: never redirect from the sign-in page itself.
  const here = location.pathname.startsWith("/sign-in") ? undefined : location.href;
  useEffect(() => {
    if (signedOut && here) void navigate({ to: "/sign-in", search: { redirect: here }, replace: true });
  }, [signedOut, navigate, here]);

  if (session.isPending) {
    return (
      <main className="center-page">
        <Loading rows={2} />
      </main>
    );
  }
  if (session.isError) {
    return (
      <main className="center-page">
        <ErrorState error={session.error} onRetry={() => session.refetch()} />
      </main>
    );
  }
  if (!session.data.session) return null;
  const { operator } = session.data.session;

  const settings: [string, string][] = [
    ["/settings/schema", t("nav.schema")],
    ["/settings/api-keys", t("nav.apiKeys")],
    ["/settings/signing-keys", t("nav.signingKeys")],
    ["/settings/apps", t("nav.apps")],
    ["/settings/roles", t("nav.roles")],
    ["/settings/origins", t("nav.origins")],
    ["/settings/operators", t("nav.operators")],
  ];

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            T
          </span>
          <span>Tenantry</span>
        </div>
        <nav aria-label={t("nav.label")}>
          <ul className="nav-list">
            <li>
              <Link to="/tenants" className="nav-link">
                {t("nav.tenants")}
              </Link>
            </li>
            <li>
              <Link to="/webhooks" className="nav-link">
                {t("nav.webhooks")}
              </Link>
            </li>
            <li>
              <Link to="/events" className="nav-link">
                {t("nav.events")}
              </Link>
            </li>
            <li>
              <span className="nav-group">{t("nav.settings")}</span>
              <ul className="nav-list nav-sub">
                {settings.map(([to, label]) => (
                  <li key={to}>
                    <Link to={to} className="nav-link">
                      {label}
                    </Link>
                  </li>
                ))}
              </ul>
            </li>
            <li>
              <Link to="/testing" className="nav-link">
                {t("nav.testing")}
              </Link>
            </li>
          </ul>
        </nav>
        <div className="sidebar-footer">
          <div className="operator">
            <span className="avatar" aria-hidden="true">
              {operator.name.slice(0, 1).toUpperCase()}
            </span>
            <span className="operator-text">
              <span className="strong">{operator.name}</span>
              <span className="muted small">{operator.email}</span>
            </span>
          </div>
          <div className="prefs">
            <label>
              <span className="small muted">{t("prefs.language")}</span>
              <select
                value={language}
                onChange={(event) => setLanguage(event.target.value as ConsoleLanguage)}
              >
                <option value="en">English</option>
                <option value="sv">Svenska</option>
              </select>
            </label>
            <label>
              <span className="small muted">{t("prefs.theme")}</span>
              <select value={theme} onChange={(event) => setTheme(event.target.value as ThemeChoice)}>
                <option value="system">{t("prefs.system")}</option>
                <option value="light">{t("prefs.light")}</option>
                <option value="dark">{t("prefs.dark")}</option>
              </select>
            </label>
          </div>
          <button
            type="button"
            className="button button-block"
            onClick={async () => {
              await signOut();
              await navigate({ to: "/sign-in", search: { redirect: undefined } });
            }}
          >
            {t("nav.signOut")}
          </button>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
