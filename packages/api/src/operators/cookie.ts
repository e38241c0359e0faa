/** The console's session cookie (httpOnly, SameSite=Lax, Path=/). */
export const SESSION_COOKIE = "tenantry_session";
/**
 * Every cookie-authenticated call must carry this header with the session's CSRF token. A browser
 * sends a custom header cross-origin only after a preflight, which Tenantry never grants for it.
 */
export const CSRF_HEADER = "x-tenantry-csrf";

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function sessionTokenFromCookie(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) {
      const value = rest.join("=");
      return TOKEN_PATTERN.test(value) ? value : null;
    }
  }
  return null;
}
