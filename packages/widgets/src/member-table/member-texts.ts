import type { I18n } from "../i18n/i18n.js";
import { en, type MessageKey } from "../i18n/messages.js";
import { plainProblem } from "../shared/problem.js";
import type { MemberProblem, Role } from "./useMembers.js";

/** The actions that ask for a confirmation first. */
export type Confirmable = "suspend" | "remove" | "revokeInvitation" | "transferOwnership";

/** A role by its name; the built-in ones, unless the workspace renamed them, in the widget's language. */
export function roleName(i18n: I18n, role: Pick<Role, "key" | "name" | "builtIn">): string {
  const key = `role.${role.key}` as MessageKey;
  return role.builtIn && en[key] === role.name ? i18n.t(key) : role.name;
}

/** The name for a role key: the workspace's role, else a built-in one's translation, else the key. */
export function roleNameOfKey(i18n: I18n, roles: readonly Role[], key: string): string {
  const role = roles.find((candidate) => candidate.key === key);
  if (role) return roleName(i18n, role);
  return `role.${key}` in en ? i18n.t(`role.${key}` as MessageKey) : key;
}

/** The server's refusal in plain words; the last-owner rule says what to do instead. */
export function problemText(i18n: I18n, problem: MemberProblem): string {
  switch (problem.code) {
    case "last_owner":
      return i18n.t("members.error.lastOwner", { name: problem.name });
    case "seat_limit_reached":
      return i18n.t("members.error.seatLimit");
    case "membership_exists":
      return i18n.t("members.error.exists");
    case "member_inactive":
      return i18n.t("members.error.inactive");
    default:
      return plainProblem(i18n, problem) ?? i18n.t("members.error.generic", { message: problem.message });
  }
}
