/**
 * `@tenantry/api/server-runtime`: what a server process does outside any request — open the keyring,
 * bootstrap the default workspace and its first API key, migrate and reseal sealed data, keep the
 * JWKS cache, run the OAuth start and callback pages, the periodic refresher, the webhook worker
 * and the event retention, listen for the invalidations that keep its caches fresh — and the clock it
 * hands every service.
 */
export { createJwksKeys, type JwksKeys, parseJwksAllowHosts } from "../access-tokens/jwks";
// The CLI mints keys before any credential exists, so there is no caller to go through.
export { createApiKey } from "../api-keys/service";
export {
  bindingCookieHeader,
  bindingCookieName,
  CALLBACK_PATH,
  type CallbackResult,
  completeAuthorization,
  type OAuthBrowserContext,
  START_PATH,
  startAuthorization,
} from "../connections/oauth";
export { refreshExpiringConnections } from "../connections/refresh";
export { deleteExpiredEvents } from "../events/service";
export {
  type InvalidationListener,
  startInvalidationListener,
} from "../invalidation/listener";
export { runDataMigrations } from "../secrets/data-migrations";
export { createKeyring, type Keyring, parseKeyMaterial, randomKeyring } from "../secrets/keyring";
export { resealStaleSecrets } from "../secrets/rotate";
export { parseAllowHosts } from "../shared/addresses";
export { type Clock, systemClock } from "../shared/clock";
export type { ServiceContext } from "../shared/service-context";
export { deliverDueMessages } from "../webhooks/delivery";
export type { WebhookUrlPolicy } from "../webhooks/url-policy";
export { bootstrapDefaultWorkspace } from "../workspaces/bootstrap";
