import type { AppErrorCode, InputIssue, TenantryErrorShape } from "@tenantry/contracts/errors";
import type { TenantryRouter } from "@tenantry/contracts/router";
import { TRPCClientError } from "@trpc/client";

/**
 * Every failed call rejects with this: `code` is Tenantry's stable error code (`not_found`,
 * `version_conflict`, …: branch on it, never on `message`), `status` the HTTP status, `message` the
 * problem in plain words (`name is required`), `issues` every input problem by path, `details` a
 * code's documented extra members (`currentVersion`, …). Network failures have no code (`code` is
 * `undefined`, `status` 0).
 */
export class TenantryClientError extends TRPCClientError<TenantryRouter> {
  override readonly name = "TenantryClientError";
  readonly code: AppErrorCode | undefined;
  readonly status: number;
  readonly issues: InputIssue[];
  readonly details: Readonly<Record<string, unknown>>;

  constructor(error: TRPCClientError<TenantryRouter>) {
    const shape = error.shape as TenantryErrorShape | undefined;
    super(error.message, {
      ...(shape ? { result: { error: shape } } : {}),
      ...(error.cause ? { cause: error.cause } : {}),
      ...(error.meta ? { meta: error.meta } : {}),
    });
    // TRPCClientError resets the prototype to its own in its constructor; restore the subclass's.
    Object.setPrototypeOf(this, new.target.prototype);
    this.code = shape?.data.appCode;
    this.status = shape?.data.httpStatus ?? 0;
    this.issues = shape?.data.issues ?? [];
    this.details = shape?.data.details ?? {};
  }
}
