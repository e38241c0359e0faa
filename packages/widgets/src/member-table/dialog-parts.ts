import type { MEMBERSHIP_TYPES } from "@tenantry/contracts/membership-values";
import type { problemText, roleName } from "./member-texts.js";
import type { displayName } from "./useMembers.js";

/**
 * What the dialogs share with the table, handed over as props: this chunk then imports nothing the
 * up-front bundle has (only the dialog itself, which is lazy everywhere), so the bundler splits off
 * no shared up-front chunk, which would cost more than the dialogs save.
 */
export interface DialogParts {
  problemText: typeof problemText;
  roleName: typeof roleName;
  displayName: typeof displayName;
  memberTypes: typeof MEMBERSHIP_TYPES;
}
