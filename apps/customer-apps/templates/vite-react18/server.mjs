// @ts-check
/**
 * The host's backend: serves the built pages (dist/) and signs Tenantry access tokens for the
 * signed-in user with the workspace's signing key, which never reaches the browser. Plain ESM for
 * Node, type-checked through its JSDoc (tsconfig.server.json), so it runs without a compile step.
 *
 *   npm run build && TENANTRY_URL=… TENANTRY_SIGNING_KEY_ID=sk_… TENANTRY_SIGNING_SECRET=… npm start
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { signAccessToken } from "@tenantry/client";

/**
 * @param {string} name
 * @param {string} [fallback]
 * @returns {string}
 */
function setting(name, fallback) {
  const value = process.env[name] || fallback;
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const port = Number(setting("PORT", "3000"));
const host = setting("HOST", "127.0.0.1");
const tenantryUrl = setting("TENANTRY_URL");
const signingKey = { id: setting("TENANTRY_SIGNING_KEY_ID"), secret: setting("TENANTRY_SIGNING_SECRET") };

// Stands in for the host's session: who is signed in, and their organization (Tenantry's tenant).
const session = {
  organization: { id: setting("HOST_ORG_ID", "acme-42"), name: setting("HOST_ORG_NAME", "Acme Corp") },
  user: {
    id: setting("HOST_USER_ID", "user-ada"),
    email: setting("HOST_USER_EMAIL", "ada@acme.example"),
    firstName: "Ada",
    lastName: "Lovelace",
  },
};

const pages = fileURLToPath(new URL("./dist/", import.meta.url));
/** @type {Record<string, string>} */
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

const server = createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? "/", "http://host.invalid").pathname);
  try {
    if (path === "/api/tenantry-token" && req.method === "POST") {
      // A real host checks its own session here before signing anything.
      const token = await signAccessToken({
        signingKey,
        tenant: { id: session.organization.id, name: session.organization.name },
        user: session.user,
        expiresIn: "15m",
      });
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify({ token }));
      return;
    }
    if (path === "/api/tenantry-config" && req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ baseUrl: tenantryUrl }));
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    let file = normalize(join(pages, path));
    if (!file.startsWith(pages) || file.endsWith(sep)) file = join(pages, "index.html");
    // Unknown paths without an extension are the single-page app's routes.
    const body = await readFile(file).catch(() =>
      extname(file) ? null : readFile(join(pages, "index.html")),
    );
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] ?? "text/html; charset=utf-8" });
    res.end(body);
  } catch (error) {
    console.error(error);
    res.writeHead(500, { "content-type": "text/plain" }).end("internal error");
  }
});

server.listen(port, host, () => console.log(`listening on http://${host}:${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
