import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { SignJWT } from "jose";

/** What the demo host knows: where Tenantry is, its signing key, and who is signed in. */
export interface DemoBackendOptions {
  tenantryUrl: string;
  /** The workspace signing key the host created (`POST /signing-keys`), HS256. */
  signingKey: { id: string; secret: string };
  /** The host's organization (the tenant's `sub`) and its signed-in user (a member's `externalId`). */
  organization: { id: string; name: string };
  user: { id: string; name: string; email: string };
  /** The built pages (vite build output). */
  staticDir: string;
  port?: number;
  host?: string;
}

const TOKEN_LIFETIME_SECONDS = 10 * 60;
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/**
 * The host's backend, the part a real host copies: an endpoint its pages call to get a short-lived
 * Tenantry access token for the signed-in user, signed with the workspace's key (never sent to the
 * browser). A real host checks its own session first; the demo has one user, always signed in.
 */
export async function startDemoBackend(
  options: DemoBackendOptions,
): Promise<{ url: string; server: Server }> {
  const secret = new TextEncoder().encode(options.signingKey.secret);
  const signToken = () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      name: options.organization.name,
      user: { id: options.user.id, email: options.user.email },
    })
      .setProtectedHeader({ alg: "HS256", kid: options.signingKey.id })
      .setSubject(options.organization.id)
      .setIssuedAt(now)
      .setExpirationTime(now + TOKEN_LIFETIME_SECONDS)
      .sign(secret);
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://demo.invalid").pathname;
    try {
      if (path === "/api/tenantry-token" && req.method === "POST") {
        res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
        res.end(JSON.stringify({ token: await signToken() }));
        return;
      }
      if (path === "/api/session" && req.method === "GET") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            tenantryUrl: options.tenantryUrl,
            user: { name: options.user.name, email: options.user.email },
            organization: options.organization.name,
          }),
        );
        return;
      }
      if (req.method !== "GET") {
        res.writeHead(405).end();
        return;
      }
      const file = normalize(join(options.staticDir, path === "/" ? "index.html" : path));
      if (!file.startsWith(options.staticDir)) {
        res.writeHead(404).end();
        return;
      }
      const body = await readFile(file).catch(() => null);
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://${options.host ?? "127.0.0.1"}:${port}`, server };
}
