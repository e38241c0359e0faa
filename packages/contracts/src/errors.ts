import type { TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODE_NUMBER } from "@trpc/server";

/** Stable, documented error codes. Clients branch on these, never on messages. */
export type AppErrorCode =
  | "invalid_input"
  | "invalid_json"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "version_conflict"
  | "slug_taken"
  | "internal_id_taken"
  | "tenant_id_taken"
  | "idempotency_key_reused"
  | "invalid_field_schema"
  | "invalid_fields"
  | "invalid_parameters"
  | "invalid_webhook_url"
  | "connection_test_failed"
  | "tenant_inactive"
  | "origin_not_allowed"
  | "membership_exists"
  | "seat_limit_reached"
  | "last_owner"
  | "external_id_taken"
  | "member_inactive"
  | "not_a_member"
  | "invitation_invalid"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "csrf_failed"
  | "invalid_credentials"
  | "email_taken"
  | "setup_done"
  | "usage_limit_exceeded"
  | "invalid_state"
  | "needs_reauth"
  | "provider_error"
  | "provider_unavailable"
  | "unavailable"
  | "element_key_taken"
  | "element_archived"
  | "invalid_config_schema"
  | "invalid_override_path"
  | "invalid_configuration"
  | "permission_key_taken"
  | "unknown_permission"
  | "internal_error";

export interface InputIssue {
  path: string;
  message: string;
}

/** What every error carries, over tRPC (`error.data`) and REST (the JSON body's `code`, `issues`). */
export interface TenantryErrorData {
  /** tRPC's code, e.g. `NOT_FOUND`. */
  code: TRPC_ERROR_CODE_KEY;
  httpStatus: number;
  path?: string;
  /** The stable, documented code: branch on this, never on messages. */
  appCode: AppErrorCode;
  /** Every input problem, once: `{ path, message }`, the message read after the path ("is required"). */
  issues?: InputIssue[];
  /** A code's documented extra members (`currentVersion`, `used`, …; REST has them beside `code`). Never `issues`. */
  details?: Record<string, unknown>;
}

/** The error shape of the Tenantry router (its `errorFormatter`). */
export interface TenantryErrorShape {
  code: TRPC_ERROR_CODE_NUMBER;
  message: string;
  data: TenantryErrorData;
}
