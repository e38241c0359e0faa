/**
 * Where the widgets get their access token: a fixed `token`, or the host's async `getToken()`,
 * called again shortly before the token's `exp` and once after a call answers 401.
 */
export interface TokenSource {
  /** A token that will not expire within the refresh margin (fetches a new one when needed). */
  current(): Promise<string>;
  /** Forgets the cached token and fetches a new one; concurrent callers share one fetch. */
  refresh(): Promise<string>;
  /** False for a fixed `token`: nothing new can be fetched, so a 401 is final. */
  readonly canRefresh: boolean;
}

export interface TokenSourceOptions {
  token?: string | undefined;
  getToken?: (() => Promise<string>) | undefined;
  /** Seconds before `exp` at which a new token is fetched. */
  refreshMarginSeconds?: number;
  /** Injected by tests. */
  now?: () => number;
}

/** The `exp` claim of a JWT in seconds, or null when it is not a readable JWT. */
export function tokenExpiry(token: string): number | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const padded = payload
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(payload.length / 4) * 4, "=");
    const claims = JSON.parse(atob(padded)) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp : null;
  } catch {
    return null;
  }
}

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { token, getToken } = options;
  if (!getToken) {
    if (!token) throw new Error("TenantryProvider needs `getToken` or `token`");
    return { current: async () => token, refresh: async () => token, canRefresh: false };
  }
  const margin = (options.refreshMarginSeconds ?? 30) * 1000;
  const now = options.now ?? Date.now;
  let cached: { token: string; expiresAt: number | null } | null = null;
  let inFlight: Promise<string> | null = null;

  const refresh = () => {
    inFlight ??= getToken()
      .then((fresh) => {
        const exp = tokenExpiry(fresh);
        cached = { token: fresh, expiresAt: exp === null ? null : exp * 1000 };
        return fresh;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  return {
    canRefresh: true,
    current() {
      if (inFlight) return inFlight;
      if (cached && (cached.expiresAt === null || cached.expiresAt - margin > now())) {
        return Promise.resolve(cached.token);
      }
      return refresh();
    },
    refresh,
  };
}
