import { useId, useState } from "react";
import type { I18n } from "../i18n/i18n.js";
import type { MessageKey } from "../i18n/messages.js";
import { ConfirmDialog, Dialog } from "../shared/Dialog.js";
import type { DialogParts } from "./dialog-parts.js";
import type { Confirmable } from "./member-texts.js";
import type { Member, MembersController, MemberType } from "./useMembers.js";

/** What the actor may change about one member: type, roles, status, ownership, invitation. */
export function ManageDialog({
  parts,
  i18n,
  controller,
  member,
  onClose,
  onConfirm,
}: {
  parts: DialogParts;
  i18n: I18n;
  controller: MembersController;
  member: Member;
  onClose: () => void;
  onConfirm: (action: Confirmable) => void;
}) {
  const id = useId();
  const { roleName, displayName, memberTypes } = parts;
  const name = displayName(member);
  const allowed = controller.actionsFor(member);
  const [type, setType] = useState<MemberType>(member.type);
  const busy = controller.pending.has(member.userId);

  return (
    <Dialog
      open
      title={i18n.t("members.manageTitle", { name })}
      onClose={onClose}
      actions={
        <button type="button" className="tnt-button" onClick={onClose}>
          {i18n.t("members.close")}
        </button>
      }
    >
      <div className="tnt-manage">
        <p className="tnt-hint">
          {member.user.email} · {i18n.t(`status.${member.status}` as MessageKey)}
        </p>
        {allowed.changeType && (
          <div className="tnt-field">
            <label htmlFor={`${id}-type`} className="tnt-label">
              {i18n.t("members.changeType")}
            </label>
            <div className="tnt-inline">
              <select
                id={`${id}-type`}
                className="tnt-input tnt-select"
                value={type}
                onChange={(event) => setType(event.target.value as MemberType)}
              >
                {memberTypes.map((t) => (
                  <option key={t} value={t}>
                    {i18n.t(`type.${t}` as MessageKey)}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="tnt-button"
                disabled={type === member.type || busy}
                onClick={() => {
                  onClose();
                  void controller.changeType(member, type);
                }}
              >
                {i18n.t("members.applyType")}
              </button>
            </div>
          </div>
        )}
        {allowed.editRoles && controller.roles.length > 0 && (
          <fieldset className="tnt-fieldset">
            <legend className="tnt-label">{i18n.t("members.rolesLegend")}</legend>
            {controller.roles.map((role) => (
              <label key={role.id} className="tnt-check-row">
                <input
                  type="checkbox"
                  className="tnt-checkbox"
                  checked={member.roles.includes(role.key)}
                  disabled={busy || !controller.mayAssign(role)}
                  onChange={(event) => void controller.setRole(member, role, event.target.checked)}
                />
                <span>
                  {roleName(i18n, role)}
                  {role.description && <span className="tnt-hint"> · {role.description}</span>}
                </span>
              </label>
            ))}
          </fieldset>
        )}
        <div className="tnt-manage-actions">
          {allowed.reactivate && (
            <button
              type="button"
              className="tnt-button"
              onClick={() => {
                onClose();
                void controller.reactivate(member);
              }}
            >
              {i18n.t("members.reactivate")}
            </button>
          )}
          {allowed.resendInvitation && (
            <button
              type="button"
              className="tnt-button"
              onClick={() => {
                onClose();
                void controller.resendInvitation(member);
              }}
            >
              {i18n.t("members.resend")}
            </button>
          )}
          {allowed.transferOwnership && (
            <button type="button" className="tnt-button" onClick={() => onConfirm("transferOwnership")}>
              {i18n.t("members.transfer")}
            </button>
          )}
          {allowed.revokeInvitation && (
            <button
              type="button"
              className="tnt-button tnt-button-danger"
              onClick={() => onConfirm("revokeInvitation")}
            >
              {i18n.t("members.revoke")}
            </button>
          )}
          {allowed.suspend && (
            <button
              type="button"
              className="tnt-button tnt-button-danger"
              onClick={() => onConfirm("suspend")}
            >
              {i18n.t("members.suspend")}
            </button>
          )}
          {allowed.remove && member.status !== "invited" && (
            <button
              type="button"
              className="tnt-button tnt-button-danger"
              onClick={() => onConfirm("remove")}
            >
              {i18n.t("members.remove")}
            </button>
          )}
        </div>
        {!Object.values(allowed).some(Boolean) && <p>{i18n.t("members.noActions")}</p>}
      </div>
    </Dialog>
  );
}

const ACTION_LABELS: Record<Confirmable, MessageKey> = {
  suspend: "members.suspend",
  remove: "members.remove",
  revokeInvitation: "members.revoke",
  transferOwnership: "members.transfer",
};
const CONFIRM_TITLES: Record<Confirmable, MessageKey> = {
  suspend: "members.confirm.suspendTitle",
  remove: "members.confirm.removeTitle",
  revokeInvitation: "members.confirm.revokeTitle",
  transferOwnership: "members.confirm.transferTitle",
};
const CONFIRM_TEXTS: Record<Confirmable, MessageKey> = {
  suspend: "members.confirm.suspend",
  remove: "members.confirm.remove",
  revokeInvitation: "members.confirm.revoke",
  transferOwnership: "members.confirm.transfer",
};

/** Asks before an action that cannot simply be undone. */
export function ConfirmMemberDialog({
  parts: { displayName },
  i18n,
  action,
  member,
  onCancel,
  onConfirm,
}: {
  parts: DialogParts;
  i18n: I18n;
  action: Confirmable;
  member: Member;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const name = displayName(member);
  return (
    <ConfirmDialog
      open
      title={i18n.t(CONFIRM_TITLES[action], { name })}
      description={i18n.t(CONFIRM_TEXTS[action], { name })}
      confirmLabel={i18n.t(ACTION_LABELS[action])}
      cancelLabel={i18n.t("members.cancel")}
      destructive={action !== "transferOwnership"}
      onCancel={onCancel}
      onConfirm={onConfirm}
    />
  );
}
