import type { AppErrorCode } from "@tenantry/contracts/errors";

/** The HTTP statuses an error may answer with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 500 | 502 | 503;

export interface ErrorCodeRow {
  /** The status it answers; a few codes answer more than one depending on where they arise. */
  status: ErrorStatus | readonly ErrorStatus[];
  /** One line, for the README and the OpenAPI document. */
  meaning: string;
}

/**
 * Every stable error code, its HTTP status and what it means. Typed over the whole AppErrorCode union:
 * a code added there without a row here (or a row for a code that does not exist) fails to compile,
 * and a unit test holds the README's error list to exactly these rows. Add a row in the same place.
 */
export const ERROR_CODES = {
  // Bad input
  invalid_input: {
    status: 400,
    meaning:
      "A value is missing, of the wrong type, out of range, not allowed, or an unknown key; `issues` names each",
  },
  invalid_json: { status: 400, meaning: "The body is not valid JSON" },
  invalid_fields: {
    status: 400,
    meaning: "A tenant's `fields` do not fit the workspace's field schema; `issues` names each field",
  },
  invalid_field_schema: {
    status: 400,
    meaning: "The tenant field schema sent is not a valid field schema; `issues` names each problem",
  },
  invalid_parameters: {
    status: 400,
    meaning: "A connection's parameters do not fit the app's `parametersSchema`; `issues` names each",
  },
  invalid_webhook_url: {
    status: 400,
    meaning:
      "A webhook endpoint URL Tenantry will not call: not https, a private or loopback address, credentials in it, or too long",
  },
  connection_test_failed: {
    status: 400,
    meaning: "The app's test request refused the connection's parameters (`testStatus`)",
  },
  invalid_state: {
    status: 400,
    meaning: "The OAuth `state` is unknown, used, altered or from another browser",
  },
  invalid_config_schema: { status: 400, meaning: "An element template's config schema is not valid" },
  invalid_configuration: {
    status: 400,
    meaning: "An element's configuration does not fit its config schema; `issues` names each JSON Pointer",
  },
  invalid_override_path: {
    status: 400,
    meaning: "An element override names a path the config schema does not let tenants change",
  },
  // Who is calling
  unauthorized: { status: 401, meaning: "No, or a bad, API key, access token or console session" },
  invalid_credentials: { status: 401, meaning: "The console sign-in's email or password is wrong" },
  forbidden: {
    status: 403,
    meaning: "The caller may not do this (e.g. the token lacks a permission; `missing`)",
  },
  csrf_failed: { status: 403, meaning: "A console call without the right `x-tenantry-csrf` header" },
  origin_not_allowed: {
    status: 403,
    meaning: "The page's origin is not among the workspace's allowed origins",
  },
  not_a_member: { status: 403, meaning: "The token's user is not a member of the tenant" },
  tenant_inactive: {
    status: [403, 409],
    meaning: "The tenant is suspended or archived (`status`)",
  },
  member_inactive: {
    status: [403, 409],
    meaning: "The member is invited, suspended or has left (`status`)",
  },
  // What is asked for
  not_found: { status: 404, meaning: "No such resource in this workspace (or not the token's tenant)" },
  method_not_allowed: { status: 405, meaning: "The path exists, not with this method (see `Allow`)" },
  // Conflicts and invariants
  conflict: {
    status: 409,
    meaning: "The change conflicts with what exists (e.g. a taken app key, `reason: last_active_operator`)",
  },
  version_conflict: {
    status: 409,
    meaning:
      "It changed since you read it (`If-Match` / `expectedVersion`); `currentVersion` or `currentRevision`",
  },
  slug_taken: { status: 409, meaning: "Another tenant of the workspace has this slug" },
  internal_id_taken: { status: 409, meaning: "Another tenant of the workspace has this `internalId`" },
  tenant_id_taken: { status: 409, meaning: "A tenant with this id exists" },
  external_id_taken: { status: 409, meaning: "Another user of the workspace has this `externalId`" },
  email_taken: { status: 409, meaning: "An operator with this email exists" },
  idempotency_key_reused: { status: 409, meaning: "The `Idempotency-Key` was used with another body" },
  membership_exists: {
    status: 409,
    meaning: "The user is a member of the tenant already (`userId`, `status`)",
  },
  seat_limit_reached: {
    status: 409,
    meaning: "The tenant's `maxUsers` seats are taken (`maxUsers`, `used`)",
  },
  last_owner: { status: 409, meaning: "The change would leave the tenant without an active owner" },
  invitation_invalid: { status: 409, meaning: "The invitation is expired, used or revoked (`state`)" },
  setup_done: { status: 409, meaning: "The console's first operator exists already" },
  needs_reauth: {
    status: 409,
    meaning: "The provider refused the connection's refresh token; the user signs in again (`connectionId`)",
  },
  element_key_taken: { status: 409, meaning: "An element with this type and key exists (`type`, `key`)" },
  permission_key_taken: { status: 409, meaning: "The workspace already defines a permission with this key" },
  unknown_permission: {
    status: 400,
    meaning: "A role names a permission that is neither built in nor defined by the workspace",
  },
  element_archived: { status: 409, meaning: "The element template is archived" },
  // Size and rate
  payload_too_large: { status: 413, meaning: "The body is larger than the limit" },
  unsupported_media_type: { status: 415, meaning: "A body sent without `Content-Type: application/json`" },
  usage_limit_exceeded: {
    status: 429,
    meaning: "The record would take usage over the tenant's limit (`used`, `limit`, `remaining`)",
  },
  rate_limited: { status: 429, meaning: "Too many attempts; wait and try again" },
  // Tenantry or a provider failed
  internal_error: { status: 500, meaning: "Tenantry failed; the log has the request id" },
  provider_error: {
    status: [400, 502],
    meaning: "The connection's provider answered with an error",
  },
  provider_unavailable: { status: [502, 503], meaning: "The connection's provider could not be reached" },
  unavailable: {
    status: 503,
    meaning: "Tenantry is starting and its database is not ready yet; try again shortly",
  },
} as const satisfies Record<AppErrorCode, ErrorCodeRow>;

/** The statuses a code answers with, as a list. */
export function statusesOf(code: AppErrorCode): readonly ErrorStatus[] {
  const status: ErrorCodeRow["status"] = ERROR_CODES[code].status;
  return typeof status === "number" ? [status] : status;
}

/** The codes that may answer with `status`, in table order. */
export function codesWithStatus(status: ErrorStatus): AppErrorCode[] {
  return (Object.keys(ERROR_CODES) as AppErrorCode[]).filter((code) => statusesOf(code).includes(status));
}
