import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OAuth 2.0 authorization server, real over HTTP: authorization code with PKCE (S256),
 * client authentication by HTTP Basic or form body (or none, for a public client), refresh tokens that
 * rotate (a used one is dead), RFC 7009 revocation, a consent page, and a control surface tests use to
 * count and to misbehave. Everything lives in memory: one process is one provider.
 */
export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

export interface ProviderClient {
  id: string;
  /** Absent for a public client (`tokenEndpointAuthMethod: "none"`). */
  secret?: string;
  /**
   * The one way this client must authenticate at the token and revocation endpoints; any other is
   * refused with 401 `invalid_client`, as a strict provider does. Absent: Basic or form body, either.
   * A public client (`none`) sends only `client_id` and must use PKCE.
   */
  tokenEndpointAuthMethod?: ClientAuthMethod;
}

export interface ProviderSettings {
  /** Seconds an access token lives. */
  accessTokenTtlSeconds: number;
  /** Rotate refresh tokens on use (the old one stops working), as many providers do. */
  rotateRefreshTokens: boolean;
  /** Answer every token request with 503, as a provider in an outage does. */
  down: boolean;
  /** Delay before answering a token request, to make concurrent refreshes overlap. */
  tokenDelayMs: number;
  /** Skip the consent page: /authorize redirects straight back with a code. */
  autoApprove: boolean;
  /**
   * Add an `id_token` to code exchanges, as OpenID providers do for the `openid` scope. Its issuer is
   * not this server's URL (as at providers whose token endpoint lives on another host than the issuer).
   */
  issueIdToken: boolean;
  /**
   * How long a rotated refresh token still works after its first use (Okta's "grace period", Auth0's
   * "reuse interval"): a client that lost the answer can ask again with it. 0: strict rotation.
   */
  refreshReuseIntervalMs: number;
  /**
   * Issue a refresh grant's tokens (the presented refresh token is spent at once), then wait this long
   * before answering: the window in which a client that dies has lost them. `stats.refreshGrants`
   * counts the grant as soon as it is issued.
   */
  holdRefreshAnswerMs: number;
}

export interface ProviderStats {
  authorizationCodeGrants: number;
  refreshGrants: number;
  failedGrants: number;
  revocations: number;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
  /** Tokens issued from this code: revoked if the code is replayed (RFC 6749 §4.1.2). */
  issued: string[];
}

interface RefreshGrant {
  clientId: string;
  scope: string;
  subject: string;
  alive: boolean;
  /** When it was first used to refresh (rotation with a reuse interval keeps it alive until then + interval). */
  usedAt: number | null;
}

export interface OAuthProvider {
  url: string;
  clients: ProviderClient[];
  settings: ProviderSettings;
  stats: ProviderStats;
  /** Makes every refresh token fail with invalid_grant, as when a user revokes the app. */
  revokeAllGrants(): void;
  close(): Promise<void>;
}

const DEFAULT_SETTINGS: ProviderSettings = {
  accessTokenTtlSeconds: 3600,
  rotateRefreshTokens: true,
  down: false,
  tokenDelayMs: 0,
  autoApprove: false,
  issueIdToken: false,
  refreshReuseIntervalMs: 0,
  holdRefreshAnswerMs: 0,
};

const token = (prefix: string) => `${prefix}_${randomBytes(24).toString("base64url")}`;

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > 64 * 1024) req.destroy(new Error("body too large"));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function consentPage(params: URLSearchParams, clientId: string): string {
  const hidden = [...params.entries()]
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  const scope = params.get("scope") || "(no scopes)";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize ${escapeHtml(clientId)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem">
<main><h1>Loopback Provider</h1>
<p><strong>${escapeHtml(clientId)}</strong> asks to access your account: <code>${escapeHtml(scope)}</code></p>
<form method="post" action="/authorize/decision">${hidden}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></main></body></html>`;
}

export async function startOAuthProvider(
  options: {
    port?: number;
    host?: string;
    clients?: ProviderClient[];
    settings?: Partial<ProviderSettings>;
  } = {},
): Promise<OAuthProvider> {
  const clients = options.clients ?? [{ id: "tenantry-test", secret: "tenantry-test-secret" }];
  const settings: ProviderSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const stats: ProviderStats = {
    authorizationCodeGrants: 0,
    refreshGrants: 0,
    failedGrants: 0,
    revocations: 0,
  };
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, RefreshGrant>();
  const accessTokens = new Map<
    string,
    { subject: string; scope: string; expiresAt: number; alive: boolean }
  >();
  let subjects = 0;

  const clientOf = (id: string | null) => clients.find((client) => client.id === id);

  /**
   * RFC 6749 §2.3.1: HTTP Basic (preferred) or client_id/client_secret in the form; a public client
   * sends its client_id alone. A client that names its method is refused any other.
   */
  function authenticateClient(
    req: IncomingMessage,
    form: URLSearchParams,
  ): { client: ProviderClient } | { refused: string } {
    const basic = req.headers.authorization?.match(/^Basic\s+(.+)$/i)?.[1];
    let id = form.get("client_id");
    let secret = form.get("client_secret");
    let presented: ClientAuthMethod = secret === null ? "none" : "client_secret_post";
    if (basic) {
      const decoded = Buffer.from(basic, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      // Each part is form-encoded before joining (§2.3.1), so "+" is a space.
      const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, " "));
      id = decode(decoded.slice(0, colon));
      secret = decode(decoded.slice(colon + 1));
      presented = "client_secret_basic";
    }
    const client = clientOf(id);
    if (!client) return { refused: "unknown client" };
    const required = client.tokenEndpointAuthMethod;
    if (required !== undefined && presented !== required) {
      return { refused: `this client authenticates by ${required}, not ${presented}` };
    }
    if (presented === "none") {
      return required === "none" ? { client } : { refused: "client authentication missing" };
    }
    return client.secret !== undefined && secret !== null && safeEqual(client.secret, secret)
      ? { client }
      : { refused: "client authentication failed" };
  }

  function redirectWith(res: ServerResponse, redirectUri: string, params: Record<string, string>) {
    const target = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  /** Checks an authorization request; answers the error itself when it cannot redirect. */
  function checkAuthorizeRequest(params: URLSearchParams, res: ServerResponse): boolean {
    const client = clientOf(params.get("client_id"));
    const redirectUri = params.get("redirect_uri");
    if (!client || !redirectUri || !URL.canParse(redirectUri)) {
      json(res, 400, { error: "invalid_request", error_description: "unknown client or bad redirect_uri" });
      return false;
    }
    if (params.get("response_type") !== "code") {
      redirectWith(res, redirectUri, {
        error: "unsupported_response_type",
        state: params.get("state") ?? "",
      });
      return false;
    }
    const method = params.get("code_challenge_method");
    if (params.get("code_challenge") && method !== "S256") {
      redirectWith(res, redirectUri, {
        error: "invalid_request",
        error_description: "only S256 PKCE",
        state: params.get("state") ?? "",
      });
      return false;
    }
    return true;
  }

  function issueCode(params: URLSearchParams, res: ServerResponse) {
    const code = token("code");
    codes.set(code, {
      clientId: params.get("client_id")!,
      redirectUri: params.get("redirect_uri")!,
      scope: params.get("scope") ?? "",
      codeChallenge: params.get("code_challenge"),
      expiresAt: Date.now() + 60_000,
      used: false,
      issued: [],
    });
    redirectWith(res, params.get("redirect_uri")!, { code, state: params.get("state") ?? "" });
  }

  function issueTokens(subject: string, scope: string, clientId: string, refreshToken?: string) {
    const accessToken = token("at");
    accessTokens.set(accessToken, {
      subject,
      scope,
      expiresAt: Date.now() + settings.accessTokenTtlSeconds * 1000,
      alive: true,
    });
    const nextRefresh = refreshToken ?? token("rt");
    if (!refreshTokens.has(nextRefresh)) {
      refreshTokens.set(nextRefresh, { clientId, scope, subject, alive: true, usedAt: null });
    }
    return {
      access_token: accessToken,
      token_type: "Bearer",
      expires_in: settings.accessTokenTtlSeconds,
      refresh_token: nextRefresh,
      scope,
    };
  }

  async function tokenEndpoint(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await readBody(req));
    if (settings.tokenDelayMs > 0) await new Promise((r) => setTimeout(r, settings.tokenDelayMs));
    if (settings.down) return json(res, 503, { error: "temporarily_unavailable" });
    const fail = (status: number, error: string, description: string) => {
      stats.failedGrants++;
      json(res, status, { error, error_description: description });
    };
    const authenticated = authenticateClient(req, form);
    if ("refused" in authenticated) return fail(401, "invalid_client", authenticated.refused);
    const { client } = authenticated;
    const grantType = form.get("grant_type");
    if (grantType === "authorization_code") {
      const code = codes.get(form.get("code") ?? "");
      if (!code || code.clientId !== client.id || code.expiresAt < Date.now()) {
        return fail(400, "invalid_grant", "unknown or expired code");
      }
      if (code.used) {
        for (const issued of code.issued) {
          const grant = refreshTokens.get(issued);
          if (grant) grant.alive = false;
          const access = accessTokens.get(issued);
          if (access) access.alive = false;
        }
        return fail(400, "invalid_grant", "code already used");
      }
      code.used = true;
      // A public client has no secret: PKCE is what ties the code to the one who asked for it.
      if (client.tokenEndpointAuthMethod === "none" && !code.codeChallenge) {
        return fail(400, "invalid_grant", "a public client must use PKCE");
      }
      if (form.get("redirect_uri") !== code.redirectUri) {
        return fail(400, "invalid_grant", "redirect_uri does not match the authorization request");
      }
      if (code.codeChallenge) {
        const verifier = form.get("code_verifier") ?? "";
        const challenge = createHash("sha256").update(verifier).digest("base64url");
        if (!safeEqual(challenge, code.codeChallenge))
          return fail(400, "invalid_grant", "PKCE verification failed");
      }
      stats.authorizationCodeGrants++;
      const tokens = issueTokens(`user-${++subjects}`, code.scope, client.id);
      code.issued.push(tokens.access_token, tokens.refresh_token);
      return json(res, 200, settings.issueIdToken ? { ...tokens, id_token: idToken(client.id) } : tokens);
    }
    if (grantType === "refresh_token") {
      const presented = form.get("refresh_token") ?? "";
      const grant = refreshTokens.get(presented);
      const now = Date.now();
      const reusable =
        grant?.usedAt === null || (grant && now - grant.usedAt! <= settings.refreshReuseIntervalMs);
      if (!grant?.alive || grant.clientId !== client.id || !reusable) {
        return fail(400, "invalid_grant", "refresh token is invalid, used or revoked");
      }
      stats.refreshGrants++;
      if (settings.rotateRefreshTokens) {
        grant.usedAt ??= now;
        if (settings.refreshReuseIntervalMs <= 0) grant.alive = false;
      }
      const tokens = issueTokens(
        grant.subject,
        grant.scope,
        client.id,
        settings.rotateRefreshTokens ? undefined : presented,
      );
      if (settings.holdRefreshAnswerMs > 0) {
        await new Promise((r) => setTimeout(r, settings.holdRefreshAnswerMs));
      }
      return json(res, 200, tokens);
    }
    return fail(400, "unsupported_grant_type", `grant_type ${grantType ?? "(none)"} is not supported`);
  }

  async function revokeEndpoint(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await readBody(req));
    if (settings.down) return json(res, 503, { error: "temporarily_unavailable" });
    const authenticated = authenticateClient(req, form);
    if ("refused" in authenticated) {
      return json(res, 401, { error: "invalid_client", error_description: authenticated.refused });
    }
    const presented = form.get("token") ?? "";
    const grant = refreshTokens.get(presented);
    if (grant) grant.alive = false;
    const access = accessTokens.get(presented);
    if (access) access.alive = false;
    stats.revocations++;
    // RFC 7009 §2.2: 200 whether or not the token was known.
    res.writeHead(200);
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://provider");
    if (url.pathname === "/authorize" && req.method === "GET") {
      if (!checkAuthorizeRequest(url.searchParams, res)) return;
      if (settings.autoApprove) return issueCode(url.searchParams, res);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(consentPage(url.searchParams, url.searchParams.get("client_id")!));
    }
    if (url.pathname === "/authorize/decision" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      const decision = form.get("decision");
      form.delete("decision");
      if (!checkAuthorizeRequest(form, res)) return;
      if (decision !== "allow") {
        return redirectWith(res, form.get("redirect_uri")!, {
          error: "access_denied",
          error_description: "The user denied access",
          state: form.get("state") ?? "",
        });
      }
      return issueCode(form, res);
    }
    if (url.pathname === "/token" && req.method === "POST") return tokenEndpoint(req, res);
    if (url.pathname === "/revoke" && req.method === "POST") return revokeEndpoint(req, res);
    if (url.pathname === "/userinfo" && req.method === "GET") {
      const presented = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? "";
      const access = accessTokens.get(presented);
      if (!access?.alive || access.expiresAt < Date.now()) return json(res, 401, { error: "invalid_token" });
      return json(res, 200, { sub: access.subject, scope: access.scope });
    }
    // The control surface: tests count requests and switch the provider into misbehaviour.
    if (url.pathname === "/_control/stats" && req.method === "GET") return json(res, 200, stats);
    if (url.pathname === "/_control/settings" && req.method === "POST") {
      Object.assign(settings, JSON.parse((await readBody(req)) || "{}") as Partial<ProviderSettings>);
      return json(res, 200, settings);
    }
    if (url.pathname === "/_control/revoke-all-grants" && req.method === "POST") {
      revokeAllGrants();
      return json(res, 200, { ok: true });
    }
    json(res, 404, { error: "not_found" });
  }

  /** An ID token a client can parse, from an issuer other than this server (unsigned: nobody should trust it). */
  function idToken(clientId: string): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: "https://accounts.loopback.example",
      sub: `user-${subjects}`,
      aud: clientId,
      iat: now,
      exp: now + 300,
    };
    return `${part({ alg: "RS256", typ: "JWT" })}.${part(claims)}.${randomBytes(32).toString("base64url")}`;
  }

  function revokeAllGrants() {
    for (const grant of refreshTokens.values()) grant.alive = false;
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, { error: "server_error" });
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    clients,
    settings,
    stats,
    revokeAllGrants,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
