import type { TokenEndpointAuthMethod } from "@tenantry/contracts/apps";
import { APP_AUTH_TYPES, CONNECTION_STATUSES } from "@tenantry/contracts/connections";
import { sql } from "drizzle-orm";
import {
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { ACTOR_TYPES } from "./activity";
import { tenants } from "./tenants";
import { workspaces } from "./workspaces";

/** OAuth2 settings of an app, as stored: everything but the client secret (sealed in its own column). */
export interface AppOAuth2Settings {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  clientId: string;
  /** Absent on apps stored before it existed: `client_secret_basic`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  scopes: string[];
  pkce: boolean;
  extraAuthorizeParams?: Record<string, string>;
}

/** An optional request made with the parameters before an api_key/basic connection is saved. */
export interface AppTestRequest {
  url: string;
  method: "GET" | "POST";
  /** Header name → template using `{{parameterName}}`. */
  headers?: Record<string, string>;
}

/** The workspace's catalog of external apps a tenant can connect to. */
export const apps = pgTable(
  "apps",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    key: text().notNull(),
    name: text().notNull(),
    logoUrl: text(),
    authType: text({ enum: APP_AUTH_TYPES }).notNull(),
    oauth2: jsonb().$type<AppOAuth2Settings>(),
    /** The OAuth2 client secret, sealed with the workspace and app ids as associated data; never read back. */
    clientSecretSealed: text(),
    parametersSchema: jsonb().$type<Record<string, unknown>>(),
    testRequest: jsonb().$type<AppTestRequest>(),
    archivedAt: timestamp({ withTimezone: true }),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    unique("apps_key_unique").on(t.workspaceId, t.key),
    foreignKey({ columns: [t.workspaceId], foreignColumns: [workspaces.id] }).onDelete("cascade"),
    check("apps_auth_type_check", sql`${t.authType} in ('oauth2', 'api_key', 'basic')`),
    check("apps_oauth2_settings_check", sql`(${t.authType} = 'oauth2') = (${t.oauth2} is not null)`),
  ],
);

/** A tenant's account in an external app, with credentials sealed to this connection's id. */
export const connections = pgTable(
  "connections",
  {
    workspaceId: text().notNull(),
    id: text().notNull(),
    tenantId: text().notNull(),
    appId: text().notNull(),
    name: text().notNull(),
    status: text({ enum: CONNECTION_STATUSES }).notNull().default("pending"),
    /** Tokens or parameters, sealed with `workspace:{workspaceId}:connection:{id}:credentials` as associated data. */
    credentialsSealed: text(),
    accessTokenExpiresAt: timestamp({ withTimezone: true }),
    connectedAt: timestamp({ withTimezone: true }),
    lastRefreshAt: timestamp({ withTimezone: true }),
    lastError: text(),
    version: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index().on(t.workspaceId, t.tenantId, t.id),
    // The periodic refresher scans connected rows by expiry.
    index().on(t.status, t.accessTokenExpiresAt),
    foreignKey({
      columns: [t.workspaceId, t.tenantId],
      foreignColumns: [tenants.workspaceId, tenants.id],
    }).onDelete("cascade"),
    foreignKey({ columns: [t.workspaceId, t.appId], foreignColumns: [apps.workspaceId, apps.id] }),
    check(
      "connections_status_check",
      sql`${t.status} in ('pending', 'connected', 'needs_reauth', 'error', 'disconnected')`,
    ),
    check("connections_version_check", sql`${t.version} >= 1`),
  ],
);

/**
 * One authorization attempt: single use (`usedAt`), expiring, PKCE verifier sealed server-side,
 * bound to the browser that first opened its start URL (`browserBindingHash`).
 */
export const oauthStates = pgTable(
  "oauth_states",
  {
    id: text().primaryKey(),
    workspaceId: text().notNull(),
    connectionId: text().notNull(),
    /** Sealed with `workspace:{workspaceId}:oauth_state:{id}:code_verifier` as associated data. */
    codeVerifierSealed: text().notNull(),
    origin: text(),
    returnTo: text(),
    /**
     * SHA-256 (base64url) of the binding cookie's nonce, set once by the first `GET /oauth/start`;
     * the callback must carry the same cookie. Null until then (and for attempts begun before it).
     */
    browserBindingHash: text(),
    /** Who started the attempt: the activity log's actor type and id (null for older rows). */
    startedByType: text({ enum: ACTOR_TYPES }),
    startedById: text(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.expiresAt),
    foreignKey({
      columns: [t.workspaceId, t.connectionId],
      foreignColumns: [connections.workspaceId, connections.id],
    }).onDelete("cascade"),
  ],
);

/**
 * A refresh of a connection's OAuth tokens in progress: at most one per connection (its primary key),
 * committed before the provider is called and deleted in the commit that stores the provider's answer.
 * It is the refresh's lock across processes (a row lock is not held across the provider call), and
 * what a restarted process finds when the one that held it died between the provider's answer and that
 * commit: the lease has run out, the next refresh takes it over (`interrupted`) and tries the previous
 * refresh token again.
 */
export const connectionRefreshAttempts = pgTable(
  "connection_refresh_attempts",
  {
    workspaceId: text().notNull(),
    connectionId: text().notNull(),
    /** Changes at each takeover: the owner's conditional writes name it. */
    attemptId: text().notNull(),
    /** The process that holds it (a random id per server process). */
    owner: text().notNull(),
    /** The connection's version the attempt started from: its answer applies only to that version. */
    baseVersion: integer().notNull(),
    /** Set when a previous holder died with the attempt in flight. */
    interrupted: integer().notNull().default(0),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    /** After this, the holder is presumed dead and another refresh may take the attempt over. */
    leaseUntil: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.connectionId] }),
    foreignKey({
      columns: [t.workspaceId, t.connectionId],
      foreignColumns: [connections.workspaceId, connections.id],
    }).onDelete("cascade"),
  ],
);
