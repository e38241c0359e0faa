import { createHmac, generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small identity provider's signing side, real over HTTP: it publishes its public keys at
 * `/.well-known/jwks.json` with a `Cache-Control: max-age`, signs tokens on request, and rotates keys.
 * Tests drive it through `/_control/*` and count how often its JWKS was fetched.
 */
export type IssuerAlgorithm = "ES256" | "RS256" | "EdDSA";

export interface IssuerSettings {
  /** The `max-age` the JWKS is served with. */
  maxAgeSeconds: number;
  /** Answer the JWKS with 503, as an identity provider in an outage does. */
  down: boolean;
}

export interface IssuerStats {
  jwksFetches: number;
}

export interface SignRequest {
  payload?: Record<string, unknown>;
  alg?: IssuerAlgorithm | "HS256";
  /** Sign with a fresh key the JWKS does not publish (a `kid` Tenantry has never seen). */
  unpublished?: boolean;
}

interface IssuerKey {
  kid: string;
  alg: IssuerAlgorithm;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

function newKey(alg: IssuerAlgorithm): IssuerKey {
  const pair =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : alg === "RS256"
        ? generateKeyPairSync("rsa", { modulusLength: 2048 })
        : generateKeyPairSync("ed25519");
  const kid = `key-${randomUUID()}`;
  return {
    kid,
    alg,
    privateKey: pair.privateKey,
    publicJwk: { ...pair.publicKey.export({ format: "jwk" }), kid, alg, use: "sig" },
  };
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function signToken(key: IssuerKey, alg: IssuerAlgorithm | "HS256", payload: Record<string, unknown>): string {
  const input = `${segment({ alg, kid: key.kid, typ: "JWT" })}.${segment(payload)}`;
  let signature: Buffer;
  if (alg === "HS256") signature = createHmac("sha256", key.kid).update(input).digest();
  else if (alg === "ES256")
    signature = sign("sha256", Buffer.from(input), { key: key.privateKey, dsaEncoding: "ieee-p1363" });
  else if (alg === "RS256") signature = sign("sha256", Buffer.from(input), key.privateKey);
  else signature = sign(null, Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString("base64url")}`;
}

export interface JwksIssuer {
  url: string;
  jwksUrl: string;
  close(): Promise<void>;
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export async function startJwksIssuer(
  options: { port?: number; alg?: IssuerAlgorithm } = {},
): Promise<JwksIssuer> {
  const alg = options.alg ?? "ES256";
  let published: IssuerKey[] = [newKey(alg)];
  const settings: IssuerSettings = { maxAgeSeconds: 600, down: false };
  const stats: IssuerStats = { jwksFetches: 0 };
  let url = "";

  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? "/", "http://issuer").pathname;
      if (req.method === "GET" && path === "/.well-known/jwks.json") {
        stats.jwksFetches += 1;
        if (settings.down) return send(res, 503, { error: "temporarily_unavailable" });
        return send(
          res,
          200,
          { keys: published.map((key) => key.publicJwk) },
          { "cache-control": `public, max-age=${settings.maxAgeSeconds}` },
        );
      }
      if (req.method === "GET" && path === "/_control/stats") return send(res, 200, stats);
      if (req.method === "POST" && path === "/_control/settings") {
        Object.assign(settings, await jsonBody(req));
        return send(res, 200, settings);
      }
      if (req.method === "POST" && path === "/_control/rotate") {
        // The new key signs from now on; `keepPrevious` leaves the old one published (a rollover).
        const body = (await jsonBody(req)) as { keepPrevious?: boolean };
        const next = newKey(alg);
        published = body.keepPrevious ? [next, ...published] : [next];
        return send(res, 200, { kid: next.kid });
      }
      if (req.method === "POST" && path === "/_control/sign") {
        const body = (await jsonBody(req)) as SignRequest;
        const key = body.unpublished ? newKey(alg) : published[0]!;
        const now = Math.floor(Date.now() / 1000);
        const payload = { iss: url, iat: now, exp: now + 600, ...body.payload };
        return send(res, 200, { token: signToken(key, body.alg ?? alg, payload), kid: key.kid });
      }
      send(res, 404, { error: "not_found" });
    } catch (error) {
      send(res, 500, { error: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksUrl: `${url}/.well-known/jwks.json`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
