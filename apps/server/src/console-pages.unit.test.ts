import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseEncoding, createConsoleRoutes } from "./console-routes";

/**
 * The console's pages and files as the server answers them: every top-level page the console's
 * router defines answers the console's index on reload (so a new page cannot 404 silently), and its
 * files go out compressed with the right caching.
 */
const routerSource = readFileSync(
  fileURLToPath(new URL("../../console/src/router.tsx", import.meta.url)),
  "utf8",
);
/** Every absolute `path: "/…"` of the router, with `$param` segments filled in. */
const pagePaths = [...routerSource.matchAll(/\bpath:\s*"(\/[^"]*)"/g)].map((match) =>
  match[1]!.replace(/\$\w+/g, "x_0123"),
);

const INDEX = `<!doctype html><html><head><title>console</title></head><body>${"<p>page</p>".repeat(200)}</body></html>`;
const SCRIPT = `export const answer = ${JSON.stringify("forty-two ".repeat(500))};\n`;

let distDir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  distDir = mkdtempSync(join(tmpdir(), "tenantry-console-pages-"));
  mkdirSync(join(distDir, "assets"));
  writeFileSync(join(distDir, "index.html"), INDEX);
  writeFileSync(join(distDir, "assets", "main-abc123.js"), SCRIPT);
  writeFileSync(join(distDir, "favicon.svg"), `<svg xmlns="http://www.w3.org/2000/svg"></svg>`);
  const handle = createConsoleRoutes({
    db: () => {
      throw new Error("serving pages needs no database");
    },
    logger: pino({ level: "silent" }),
    publicUrl: () => base,
    bodyLimitBytes: 1024,
    distDir,
  });
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (!(await handle(req, res, path, "req_test"))) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"code":"not_found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(distDir, { recursive: true, force: true });
});

/** A raw GET (fetch would decode the body and hide the encoding). */
function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(`${base}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on("error", reject);
      req.end();
    },
  );
}

describe("the console's pages", () => {
  it("finds the router's pages (the source is read, not a copy of its list)", () => {
    expect(pagePaths).toEqual(
      expect.arrayContaining(["/sign-in", "/tenants", "/settings/schema", "/events"]),
    );
    expect(pagePaths.length).toBeGreaterThanOrEqual(15);
  });

  it.each(pagePaths)("answers %s with the console's index, on reload and as a deep link", async (path) => {
    for (const variant of [path, `${path}/`.replace(/\/\/$/, "/"), `${path}?q=1`]) {
      const page = await get(variant);
      expect(page.status, variant).toBe(200);
      expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(page.headers["cache-control"]).toBe("no-cache");
      expect(page.body.toString()).toBe(INDEX);
    }
  });

  it("leaves every other path to the rest of the server", async () => {
    for (const path of ["/nope", "/tenantsx", "/api/v1/tenants", "/oauth/callback", "/.env"]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });
});

describe("the console's files", () => {
  it("sends hashed assets compressed, immutable, and the page itself revalidated", async () => {
    const br = await get("/assets/main-abc123.js", { "accept-encoding": "gzip, deflate, br" });
    expect(br.status).toBe(200);
    expect(br.headers).toMatchObject({
      "content-encoding": "br",
      vary: "accept-encoding",
      "cache-control": "public, max-age=31536000, immutable",
      "content-type": "text/javascript; charset=utf-8",
    });
    expect(Number(br.headers["content-length"])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(SCRIPT.length / 10);
    expect(brotliDecompressSync(br.body).toString()).toBe(SCRIPT);

    const gz = await get("/assets/main-abc123.js", { "accept-encoding": "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);

    const plain = await get("/assets/main-abc123.js");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);

    const page = await get("/tenants", { "accept-encoding": "br" });
    expect(page.headers).toMatchObject({ "content-encoding": "br", "cache-control": "no-cache" });
    expect(brotliDecompressSync(page.body).toString()).toBe(INDEX);

    // Small files are not worth it.
    const icon = await get("/favicon.svg", { "accept-encoding": "br" });
    expect(icon.headers["content-encoding"]).toBeUndefined();
    expect(icon.headers["cache-control"]).toBe("no-cache");
    expect((await get("/assets/missing-123.js")).status).toBe(404);
  });

  it("honours the client's accept-encoding, refusals included", () => {
    expect(chooseEncoding(undefined)).toBe("identity");
    expect(chooseEncoding("")).toBe("identity");
    expect(chooseEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(chooseEncoding("gzip")).toBe("gzip");
    expect(chooseEncoding("br;q=0, gzip;q=0.5")).toBe("gzip");
    expect(chooseEncoding("*")).toBe("br");
    expect(chooseEncoding("*;q=0")).toBe("identity");
    expect(chooseEncoding("identity")).toBe("identity");
    expect(chooseEncoding("BR")).toBe("br");
  });
});
