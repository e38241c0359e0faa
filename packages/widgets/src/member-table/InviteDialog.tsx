import { type FormEvent, useId, useState } from "react";
import type { I18n } from "../i18n/i18n.js";
import type { MessageKey } from "../i18n/messages.js";
import { Dialog } from "../shared/Dialog.js";
import type { DialogParts } from "./dialog-parts.js";
import type { MemberProblem, MembersController, MemberType } from "./useMembers.js";

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
