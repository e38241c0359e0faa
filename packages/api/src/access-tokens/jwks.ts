import ipaddr from "ipaddr.js";
import {
  createLocalJWKSet,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
} from "jose";
import { isPublicAddress, parseAllowHosts } from "../shared/addresses";

/** The algorithms an issuer's tokens may use: asymmetric only, so a public key can never sign. */
export const ISSUER_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "EdDSA",
];

export const JWKS_MIN_MAX_AGE_SECONDS = 60;
export const JWKS_MAX_MAX_AGE_SECONDS = 24 * 60 * 60;
/** Without a `Cache-Control: max-age`, keys are kept this long before they are fetched again. */
export const JWKS_DEFAULT_MAX_AGE_SECONDS = 10 * 60;
/** At most one fetch per issuer in this window, whatever tokens arrive (unknown `kid`s included). */
export const JWKS_MIN_FETCH_INTERVAL_MS = 30_000;
/** Keys fetched before stay usable this long after they went stale while the JWKS is unreachable. */
export const JWKS_GRACE_MS = 24 * 60 * 60 * 1000;
export const JWKS_TIMEOUT_MS = 5_000;
export const JWKS_MAX_BYTES = 256 * 1024;

export interface JwksPolicy {
  /**
   * Hosts (`TENANTRY_JWKS_ALLOW_HOSTS`, names or `name:port`) that may serve a JWKS over http or from
   * a private or loopback address: development and tests. Every other JWKS is https on a public address.
   */
  allowHosts: ReadonlySet<string>;
  /** Resolves a host name to its addresses so private ones are refused (the Node server's DNS). */
  resolve?: (hostname: string) => Promise<string[]>;
  /** The clock (tests move it to see the cache expire). */
  now?: () => number;
}

/** Parses `TENANTRY_JWKS_ALLOW_HOSTS`: comma-separated host names, optionally with a port. */
export function parseJwksAllowHosts(text: string | undefined): ReadonlySet<string> {
  return parseAllowHosts(text);
}

export class JwksError extends Error {}

function isAllowListed(url: URL, allowHosts: ReadonlySet<string>): boolean {
  return allowHosts.has(url.hostname.toLowerCase()) || allowHosts.has(url.host.toLowerCase());
}

/**
 * Refuses a JWKS URL Tenantry must not fetch: not https (unless allow-listed), credentials in it, or
 * a private, loopback or link-local address (unless allow-listed), as written or as resolved.
 */
export async function checkJwksUrl(text: string, policy: JwksPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new JwksError(`${text} is not a URL`);
  }
  if (url.username || url.password) throw new JwksError("a JWKS URL may not carry credentials");
  const allowed = isAllowListed(url, policy.allowHosts);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowed)) {
    throw new JwksError(
      `a JWKS URL must be https (http only for hosts in TENANTRY_JWKS_ALLOW_HOSTS); got ${url.protocol}//${url.host}`,
    );
  }
  if (allowed) return url;
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  if (hostname === "localhost" || hostname.endsWith(".localhost")) {
    throw new JwksError(
      `${url.host} is a loopback host; add it to TENANTRY_JWKS_ALLOW_HOSTS for development`,
    );
  }
  const addresses = ipaddr.isValid(hostname)
    ? [hostname]
    : policy.resolve
      ? await policy.resolve(hostname)
      : [];
  const privateOne = addresses.find((address) => !isPublicAddress(address));
  if (privateOne !== undefined) {
    throw new JwksError(
      `${url.host} is a private or loopback address (${privateOne}); add it to TENANTRY_JWKS_ALLOW_HOSTS for development`,
    );
  }
  return url;
}

/** `Cache-Control: max-age`, clamped to 60 s – 24 h; `no-store`/`no-cache` count as the minimum. */
export function jwksMaxAgeSeconds(cacheControl: string | null): number {
  if (!cacheControl) return JWKS_DEFAULT_MAX_AGE_SECONDS;
  if (/(?:^|,)\s*no-(?:store|cache)\b/i.test(cacheControl)) return JWKS_MIN_MAX_AGE_SECONDS;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  const seconds = match ? Number(match[1]) : JWKS_DEFAULT_MAX_AGE_SECONDS;
  return Math.min(JWKS_MAX_MAX_AGE_SECONDS, Math.max(JWKS_MIN_MAX_AGE_SECONDS, seconds));
}

async function readLimited(response: Response): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > JWKS_MAX_BYTES) throw new JwksError("the JWKS is larger than 256 KiB");
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > JWKS_MAX_BYTES) {
      await reader.cancel();
      throw new JwksError("the JWKS is larger than 256 KiB");
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Only public signing keys: a private member or an encryption key is dropped, never used. */
function signingKeysOf(body: unknown): JSONWebKeySet {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new JwksError('the JWKS is not a JSON object with a "keys" array');
  const usable = keys.filter(
    (key): key is JWK =>
      typeof key === "object" &&
      key !== null &&
      ["RSA", "EC", "OKP"].includes((key as JWK).kty ?? "") &&
      (key as JWK).d === undefined &&
      ((key as JWK).use === undefined || (key as JWK).use === "sig"),
  );
  return { keys: usable };
}

async function fetchJwks(
  url: string,
  policy: JwksPolicy,
): Promise<{ jwks: JSONWebKeySet; maxAgeSeconds: number }> {
  const checked = await checkJwksUrl(url, policy);
  let response: Response;
  try {
    response = await fetch(checked, {
      redirect: "manual",
      signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
      headers: { accept: "application/jwk-set+json, application/json" },
    });
  } catch (error) {
    const reason =
      (error as Error).name === "TimeoutError" ? "no answer within 5 s" : (error as Error).message;
    throw new JwksError(`the JWKS at ${checked.host} could not be fetched: ${reason}`);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new JwksError(`the JWKS at ${checked.host} answered a redirect, which Tenantry does not follow`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new JwksError(`the JWKS at ${checked.host} answered HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(await readLimited(response));
  } catch (error) {
    if (error instanceof JwksError) throw error;
    throw new JwksError(`the JWKS at ${checked.host} is not JSON`);
  }
  return {
    jwks: signingKeysOf(body),
    maxAgeSeconds: jwksMaxAgeSeconds(response.headers.get("cache-control")),
  };
}

interface CachedJwks {
  keySet: ReturnType<typeof createLocalJWKSet> | null;
  kids: ReadonlySet<string>;
  fetchedAt: number;
  freshUntil: number;
  lastAttemptAt: number;
  lastError: string | null;
  inflight: Promise<void> | null;
}

/**
 * Public keys of the issuers' JWKS URLs, per process. Public data, so a per-process cache is safe;
 * the fetch rate is bounded per issuer and process: a first fetch, then at most one per 30 s (on
 * expiry or an unknown `kid`), concurrent callers sharing one fetch.
 */
export interface JwksKeys {
  /** The verification key for a token's header, as jose's `jwtVerify` takes it. */
  keyFor(
    jwksUrl: string,
  ): (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey | Uint8Array>;
  /** Fetches now (subject to the rate bound): used when an issuer is registered. */
  load(jwksUrl: string): Promise<void>;
  /** How many fetches each URL cost so far (for tests and diagnosis). */
  fetchCount(jwksUrl: string): number;
}

export function createJwksKeys(policy: JwksPolicy): JwksKeys {
  const now = policy.now ?? Date.now;
  const cache = new Map<string, CachedJwks>();
  const fetches = new Map<string, number>();

  const entryOf = (url: string): CachedJwks => {
    let entry = cache.get(url);
    if (!entry) {
      entry = {
        keySet: null,
        kids: new Set(),
        fetchedAt: 0,
        freshUntil: 0,
        lastAttemptAt: Number.NEGATIVE_INFINITY,
        lastError: null,
        inflight: null,
      };
      // Bounded: issuers are few, but the URLs come from rows that may be revoked and replaced.
      if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
      cache.set(url, entry);
    }
    return entry;
  };

  /** One fetch at a time per URL, and none within 30 s of the previous attempt. */
  const refresh = (url: string, entry: CachedJwks): Promise<void> => {
    if (entry.inflight) return entry.inflight;
    if (now() - entry.lastAttemptAt < JWKS_MIN_FETCH_INTERVAL_MS) return Promise.resolve();
    entry.lastAttemptAt = now();
    fetches.set(url, (fetches.get(url) ?? 0) + 1);
    entry.inflight = fetchJwks(url, policy)
      .then(({ jwks, maxAgeSeconds }) => {
        entry.keySet = createLocalJWKSet(jwks);
        entry.kids = new Set(jwks.keys.map((key) => key.kid).filter((kid): kid is string => !!kid));
        entry.fetchedAt = now();
        entry.freshUntil = now() + maxAgeSeconds * 1000;
        entry.lastError = null;
      })
      .catch((error: Error) => {
        entry.lastError = error.message;
      })
      .finally(() => {
        entry.inflight = null;
      });
    return entry.inflight;
  };

  // Stale keys stay usable for a grace period while the JWKS cannot be fetched again.
  const usable = (entry: CachedJwks) => entry.keySet !== null && now() < entry.freshUntil + JWKS_GRACE_MS;

  return {
    keyFor: (url) => async (header, token) => {
      const entry = entryOf(url);
      if (now() >= entry.freshUntil) await refresh(url, entry);
      // A `kid` the cached set lacks may be a rotated-in key: fetch again, within the rate bound.
      if (header.kid !== undefined && !entry.kids.has(header.kid)) await refresh(url, entry);
      if (!entry.keySet || !usable(entry)) {
        throw new JwksError(entry.lastError ?? "the issuer's keys are not available yet");
      }
      if (header.kid !== undefined && !entry.kids.has(header.kid)) {
        throw new JwksError(`no key with kid "${header.kid}" in the issuer's JWKS`);
      }
      return entry.keySet(header, token);
    },
    load: async (url) => {
      const entry = entryOf(url);
      await refresh(url, entry);
      if (entry.lastError) throw new JwksError(entry.lastError);
    },
    fetchCount: (url) => fetches.get(url) ?? 0,
  };
}

let strictJwksKeys: JwksKeys | null = null;

/** The process's JWKS keys under the strict policy (https, public addresses), for contexts given none. */
export function defaultJwksKeys(): JwksKeys {
  strictJwksKeys ??= createJwksKeys({ allowHosts: new Set() });
  return strictJwksKeys;
}
