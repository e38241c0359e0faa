import type { MEMBERSHIP_TYPES } from "@tenantry/contracts/membership-values";
import { type FormEvent, useId, useState } from "react";
import type { I18n } from "../i18n/i18n.js";
import type { MessageKey } from "../i18n/messages.js";
import { ConfirmDialog, Dialog } from "../shared/Dialog.js";
import type { Confirmable, problemText, roleName } from "./member-texts.js";
import type { displayName, Member, MemberProblem, MembersController, MemberType } from "./useMembers.js";

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

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Invites by email with a type and a role the actor may grant. */
export function InviteDialog({
  parts,
  i18n,
  controller,
  open,
  onClose,
}: {
  parts: DialogParts;
  i18n: I18n;
  controller: MembersController;
  open: boolean;
  onClose: () => void;
}) {
  const { problemText, roleName, memberTypes } = parts;
  const id = useId();
  const [email, setEmail] = useState("");
  const [firstName, setFirstName] = useState("");
  const [lastName, setLastName] = useState("");
  const [type, setType] = useState<MemberType>("member");
  // Only roles the actor may grant: the server refuses the rest.
  const roles = controller.roles.filter(controller.mayAssign);
  const defaultRole = roles.some((r) => r.key === "member") ? "member" : (roles[0]?.key ?? "member");
  const [role, setRole] = useState(defaultRole);
  // The roles load after the dialog mounts: an unknown choice falls back to the default.
  const chosenRole = roles.some((r) => r.key === role) ? role : defaultRole;
  const [emailError, setEmailError] = useState(false);
  const [problem, setProblem] = useState<MemberProblem | null>(null);

  function close() {
    setEmail("");
    setFirstName("");
    setLastName("");
    setType("member");
    setRole(defaultRole);
    setEmailError(false);
    setProblem(null);
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!EMAIL.test(email.trim())) {
      setEmailError(true);
      document.getElementById(`${id}-email`)?.focus();
      return;
    }
    const outcome = await controller.invite({
      email: email.trim(),
      firstName: firstName.trim() || undefined,
      lastName: lastName.trim() || undefined,
      type,
      role: roles.some((r) => r.key === chosenRole) ? chosenRole : undefined,
    });
    if (outcome) setProblem(outcome);
    else close();
  }

  return (
    <Dialog
      open={open}
      title={i18n.t("members.inviteTitle")}
      onClose={close}
      actions={
        <>
          <button type="button" className="tnt-button" onClick={close}>
            {i18n.t("members.cancel")}
          </button>
          <button
            type="submit"
            form={`${id}-form`}
            className="tnt-button tnt-button-primary"
            disabled={controller.inviting}
          >
            {controller.inviting ? i18n.t("members.sending") : i18n.t("members.sendInvite")}
          </button>
        </>
      }
    >
      <form id={`${id}-form`} className="tnt-form tnt-invite" noValidate onSubmit={submit}>
        <p className="tnt-hint">{i18n.t("members.inviteIntro")}</p>
        {problem && (
          <p className="tnt-banner tnt-banner-error" role="alert">
            {problemText(i18n, problem)}
          </p>
        )}
        <div className="tnt-field" data-invalid={emailError || undefined}>
          <label htmlFor={`${id}-email`} className="tnt-label">
            {i18n.t("members.email")}
            <span className="tnt-required" aria-hidden="true">
              {" *"}
            </span>
          </label>
          <input
            id={`${id}-email`}
            className="tnt-input"
            type="email"
            autoComplete="off"
            aria-required
            aria-invalid={emailError || undefined}
            aria-describedby={emailError ? `${id}-email-error` : undefined}
            autoFocus
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
              setEmailError(false);
            }}
          />
          {emailError && (
            <p id={`${id}-email-error`} className="tnt-error">
              {i18n.t("members.emailInvalid")}
            </p>
          )}
        </div>
        <div className="tnt-field-pair">
          <div className="tnt-field">
            <label htmlFor={`${id}-first`} className="tnt-label">
              {i18n.t("members.firstName")}
            </label>
            <input
              id={`${id}-first`}
              className="tnt-input"
              autoComplete="off"
              value={firstName}
              onChange={(event) => setFirstName(event.target.value)}
            />
          </div>
          <div className="tnt-field">
            <label htmlFor={`${id}-last`} className="tnt-label">
              {i18n.t("members.lastName")}
            </label>
            <input
              id={`${id}-last`}
              className="tnt-input"
              autoComplete="off"
              value={lastName}
              onChange={(event) => setLastName(event.target.value)}
            />
          </div>
        </div>
        <div className="tnt-field-pair">
          <div className="tnt-field">
            <label htmlFor={`${id}-type`} className="tnt-label">
              {i18n.t("members.type")}
            </label>
            <select
              id={`${id}-type`}
              className="tnt-input tnt-select"
              value={type}
              onChange={(event) => setType(event.target.value as MemberType)}
            >
              {memberTypes
                .filter((t) => t !== "owner")
                .map((t) => (
                  <option key={t} value={t}>
                    {i18n.t(`type.${t}` as MessageKey)}
                  </option>
                ))}
            </select>
          </div>
          {roles.length > 0 && (
            <div className="tnt-field">
              <label htmlFor={`${id}-role`} className="tnt-label">
                {i18n.t("members.role")}
              </label>
              <select
                id={`${id}-role`}
                className="tnt-input tnt-select"
                value={chosenRole}
                onChange={(event) => setRole(event.target.value)}
              >
                {roles.map((r) => (
                  <option key={r.id} value={r.key}>
                    {roleName(i18n, r)}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
      </form>
    </Dialog>
  );
}

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
