import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { type Background, freePort, startBackground, tail, waitForHttp } from "./proc";

/** A real Tenantry server (apps/server, `pnpm --filter @tenantry/server start`) on embedded PGlite. */
export interface Tenantry {
  url: string;
  apiKey: string;
  /** `fetch` on `/api/v1{path}` with the API key; JSON in and out, throws on a non-2xx answer. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  output(): string;
  stop(): Promise<void>;
}

export async function startTenantry(repoRoot: string, dataDir: string): Promise<Tenantry> {
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Variables as apps/server/src/config.ts reads them.
  const apiKey = `tnt_sk_${randomBytes(30).toString("base64url")}`;
  const server: Background = startBackground("pnpm", ["--filter", "@tenantry/server", "start"], {
    cwd: repoRoot,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      TENANTRY_DATA_DIR: dataDir,
      TENANTRY_BOOTSTRAP_API_KEY: apiKey,
      TENANTRY_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      TENANTRY_REFRESH_INTERVAL_SECONDS: "0",
      LOG_LEVEL: "warn",
      NODE_ENV: "",
      DATABASE_URL: "",
    },
  });
  try {
    await waitForHttp(`${url}/healthz`, { timeoutMs: 90_000, process: server });
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n${tail(server.output())}`);
  }
  return {
    url,
    apiKey,
    output: server.output,
    stop: server.stop,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} /api/v1${path} answered ${response.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

/** The field the browser checks edit; the form shows it with this label. */
export const TEXT_FIELD = { name: "companyName", label: "Company name" };
export const CATALOG_APP = { key: "acme-crm", name: "Acme CRM" };

export interface Seed {
  signingKey: { id: string; secret: string };
}

/**
 * What a host sets up once, over the REST API with its API key: a signing key for its backend, its
 * pages' origins (CORS), a field schema with a text field, and an app in the catalog for the
 * connection UI. Tenants and their first member (the token's user, as owner) come from the first
 * access token each app signs.
 */
export async function seed(tenantry: Tenantry, origins: string[]): Promise<Seed> {
  const signingKey = await tenantry.api<{ id: string; secret: string }>("POST", "/signing-keys", {
    algorithm: "HS256",
    name: "customer apps",
  });
  await tenantry.api("PUT", "/allowed-origins", { origins });
  await tenantry.api("PUT", "/tenant-field-schema", {
    schema: {
      type: "object",
      properties: {
        [TEXT_FIELD.name]: {
          type: "string",
          title: TEXT_FIELD.label,
          minLength: 2,
          maxLength: 80,
          "x-order": 1,
        },
        region: { type: "string", enum: ["eu", "us"], title: "Data region", "x-order": 2 },
      },
    },
  });
  await tenantry.api("POST", "/apps", {
    key: CATALOG_APP.key,
    name: CATALOG_APP.name,
    authType: "api_key",
    parametersSchema: {
      type: "object",
      required: ["apiKey"],
      properties: { apiKey: { type: "string", title: "API key", minLength: 10, writeOnly: true } },
    },
  });
  return { signingKey };
}
