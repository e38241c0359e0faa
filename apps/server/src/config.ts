import { resolve } from "node:path";
import { parseTrustedProxies, type TrustedProxies } from "@tenantry/api/operators";
import { parseAllowHosts, parseJwksAllowHosts, parseKeyMaterial } from "@tenantry/api/server-runtime";
import { z } from "zod";

const API_KEY_PATTERN = /^tnt_sk_[A-Za-z0-9_-]{32,128}$/;

const envSchema = z.object({
  PORT: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be from 1 to 65535")
    .max(65535, "must be from 1 to 65535")
    .default(4000),
  HOST: z.string().trim().min(1, "must not be empty").default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((value) => /^postgres(ql)?:\/\/[^\s]+$/.test(value), "must be a postgres:// or postgresql:// URL")
    .optional(),
  TENANTRY_DATA_DIR: z.string().trim().min(1).default(".tenantry"),
  TENANTRY_BOOTSTRAP_API_KEY: z
    .string()
    .refine(
      (value) => API_KEY_PATTERN.test(value),
      "must be tnt_sk_ followed by 32 to 128 characters of A-Z a-z 0-9 _ -",
    )
    .optional(),
  TENANTRY_ENCRYPTION_KEY: z.string().trim().optional(),
  TENANTRY_PREVIOUS_ENCRYPTION_KEYS: z.string().trim().optional(),
  TENANTRY_PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  TENANTRY_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** How often the OAuth refresher renews tokens ahead of expiry; 0 turns it off. */
  TENANTRY_REFRESH_INTERVAL_SECONDS: z.coerce
    .number({ error: "must be a number" })
    .int()
    .min(0)
    .max(86_400)
    .default(60),
  /**
   * After SIGTERM, how long the server keeps answering (each answer closing its connection, /healthz
   * 503) before it stops listening, so load balancers and keep-alive clients move away first.
   */
  TENANTRY_SHUTDOWN_GRACE_SECONDS: z.coerce.number({ error: "must be a number" }).min(0).max(300).default(2),
  /**
   * Comma-separated IPs or CIDR ranges of the reverse proxies in front of Tenantry. Only a request
   * whose socket peer is one of them has its `X-Forwarded-For` read (the right-most address no
   * trusted proxy wrote); any other request is its socket's peer. Default: none, trust no header.
   */
  TENANTRY_TRUSTED_PROXIES: z.string().trim().optional(),
  /**
   * Comma-separated host names (optionally `name:port`) whose JWKS Tenantry may fetch over http or
   * from a private or loopback address: identity providers in development and tests. Default: none.
   */
  TENANTRY_JWKS_ALLOW_HOSTS: z.string().trim().optional(),
  /**
   * Comma-separated host names (optionally `name:port`) whose webhook endpoints may be http or on a
   * private or loopback address: receivers in development and tests. Default: none.
   */
  TENANTRY_WEBHOOK_ALLOW_HOSTS: z.string().trim().optional(),
  /** How long events stay readable at `GET /events` (and deliverable); older ones are removed. */
  TENANTRY_EVENT_RETENTION_DAYS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be from 1 to 3650")
    .max(3650, "must be from 1 to 3650")
    .default(30),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.string().optional(),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  bootstrapApiKey: string | undefined;
  /** 32 bytes each; unset in development means "generate one into the data directory". */
  encryptionKey: Uint8Array | undefined;
  previousEncryptionKeys: Uint8Array[];
  publicUrl: string;
  bodyLimitBytes: number;
  refreshIntervalMs: number;
  shutdownGraceMs: number;
  /** Whose `X-Forwarded-For` names the client (sign-in throttling counts per client address). */
  trustedProxies: TrustedProxies;
  /** `TENANTRY_JWKS_ALLOW_HOSTS`: issuers' JWKS hosts that may use http or private addresses. */
  jwksAllowHosts: ReadonlySet<string>;
  /** `TENANTRY_WEBHOOK_ALLOW_HOSTS`: webhook endpoint hosts that may use http or private addresses. */
  webhookAllowHosts: ReadonlySet<string>;
  /** `TENANTRY_EVENT_RETENTION_DAYS`: events older than this are removed by a periodic cleanup. */
  eventRetentionDays: number;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  production: boolean;
}

export class ConfigError extends Error {}

/** Reads the settings; the first bad one stops the start with one clear line. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "unset", as in most shells' `VAR= command`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const given = present[name];
    const shown = name === "TENANTRY_BOOTSTRAP_API_KEY" || name === "DATABASE_URL" ? "" : ` (got "${given}")`;
    throw new ConfigError(`${name} ${issue.message}${given === undefined ? "" : shown}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  if (production && !e.TENANTRY_ENCRYPTION_KEY) {
    throw new ConfigError(
      "TENANTRY_ENCRYPTION_KEY is required in production (32 random bytes as base64 or hex: openssl rand -base64 32)",
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.TENANTRY_DATA_DIR),
    bootstrapApiKey: e.TENANTRY_BOOTSTRAP_API_KEY,
    encryptionKey: e.TENANTRY_ENCRYPTION_KEY
      ? keyOrFail("TENANTRY_ENCRYPTION_KEY", e.TENANTRY_ENCRYPTION_KEY)
      : undefined,
    previousEncryptionKeys: (e.TENANTRY_PREVIOUS_ENCRYPTION_KEYS ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean)
      .map((k) => keyOrFail("TENANTRY_PREVIOUS_ENCRYPTION_KEYS", k)),
    publicUrl: (
      e.TENANTRY_PUBLIC_URL ?? `http://${e.HOST.includes(":") ? `[${e.HOST}]` : e.HOST}:${e.PORT}`
    ).replace(/\/$/, ""),
    bodyLimitBytes: e.TENANTRY_BODY_LIMIT_BYTES,
    refreshIntervalMs: e.TENANTRY_REFRESH_INTERVAL_SECONDS * 1000,
    shutdownGraceMs: e.TENANTRY_SHUTDOWN_GRACE_SECONDS * 1000,
    trustedProxies: trustedProxiesOrFail(e.TENANTRY_TRUSTED_PROXIES),
    jwksAllowHosts: parseJwksAllowHosts(e.TENANTRY_JWKS_ALLOW_HOSTS),
    webhookAllowHosts: parseAllowHosts(e.TENANTRY_WEBHOOK_ALLOW_HOSTS),
    eventRetentionDays: e.TENANTRY_EVENT_RETENTION_DAYS,
    logLevel: e.LOG_LEVEL,
    production,
  };
}

function keyOrFail(name: string, text: string): Uint8Array {
  try {
    return parseKeyMaterial(text);
  } catch (error) {
    throw new ConfigError(`${name} ${(error as Error).message}`);
  }
}

function trustedProxiesOrFail(text: string | undefined): TrustedProxies {
  try {
    return parseTrustedProxies(text);
  } catch (error) {
    throw new ConfigError(
      `TENANTRY_TRUSTED_PROXIES must be comma-separated IP addresses or CIDR ranges (${(error as Error).message})`,
    );
  }
}

/** For messages: a database URL without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}
