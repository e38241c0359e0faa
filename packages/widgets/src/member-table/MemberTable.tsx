import { createColumnHelper, flexRender, tableFeatures, useTable } from "@tanstack/react-table";
import { type FormEvent, useId, useMemo, useRef, useState } from "react";
import type { I18n } from "../i18n/i18n.js";
import { en, type MessageKey } from "../i18n/messages.js";
import { useI18n } from "../provider/TenantryProvider.js";
import { WidgetRoot } from "../provider/WidgetRoot.js";
import { ConfirmDialog, Dialog } from "../shared/Dialog.js";
import { loadFailedText, plainProblem } from "../shared/problem.js";
import {
  displayName,
  MEMBER_STATUSES,
  MEMBER_TYPES,
  type Member,
  type MemberProblem,
  type MembersController,
  type MemberType,
  type Role,
  useMembers,
} from "./useMembers.js";

export interface MemberTableProps {
  /** The heading; "Members" (translated) unless given. */
  title?: string;
  /** Members per page (1 to 100); 20 unless given. */
  pageSize?: number;
  className?: string;
}

type Confirmable = "suspend" | "remove" | "revokeInvitation" | "transferOwnership";

/** The tenant's members: search, filters, pages, invitations and per-member actions the actor may take. */
export function MemberTable(props: MemberTableProps) {
  const i18n = useI18n();
  const controller = useMembers({ pageSize: props.pageSize });
  const titleId = useId();
  const [inviteOpen, setInviteOpen] = useState(false);
  const [managing, setManaging] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<{ action: Confirmable; member: Member } | null>(null);
  const managed = controller.members.find((member) => member.userId === managing) ?? null;

  return (
    <WidgetRoot i18n={i18n} className={props.className ? `tnt-members ${props.className}` : "tnt-members"}>
      <section className="tnt-card" aria-labelledby={titleId} aria-busy={controller.status === "loading"}>
        <div className="tnt-heading-row">
          <h2 id={titleId} className="tnt-title">
            {props.title ?? i18n.t("members.title")}
          </h2>
          {controller.status === "ready" && controller.canInvite && (
            <button
              type="button"
              className="tnt-button tnt-button-primary"
              onClick={() => setInviteOpen(true)}
            >
              {i18n.t("members.invite")}
            </button>
          )}
        </div>
        {controller.status === "loading" && <LoadingState i18n={i18n} />}
        {controller.status === "error" && (
          <div className="tnt-banner tnt-banner-error" role="alert">
            <p>{loadFailedText(i18n, controller.loadError)}</p>
            <button type="button" className="tnt-button" onClick={() => controller.retry()}>
              {i18n.t("common.retry")}
            </button>
          </div>
        )}
        {controller.status === "ready" && (
          <Members i18n={i18n} controller={controller} onManage={(member) => setManaging(member.userId)} />
        )}
      </section>

      <InviteDialog
        i18n={i18n}
        controller={controller}
        open={inviteOpen}
        onClose={() => setInviteOpen(false)}
      />
      {managed && (
        <ManageDialog
          i18n={i18n}
          controller={controller}
          member={managed}
          onClose={() => setManaging(null)}
          onConfirm={(action) => {
            setManaging(null);
            setConfirming({ action, member: managed });
          }}
        />
      )}
      {confirming && (
        <ConfirmDialog
          open
          title={i18n.t(CONFIRM_TITLES[confirming.action], { name: displayName(confirming.member) })}
          description={i18n.t(CONFIRM_TEXTS[confirming.action], { name: displayName(confirming.member) })}
          confirmLabel={i18n.t(ACTION_LABELS[confirming.action])}
          cancelLabel={i18n.t("members.cancel")}
          destructive={confirming.action !== "transferOwnership"}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            const { action, member } = confirming;
            setConfirming(null);
            void controller[action](member);
          }}
        />
      )}
    </WidgetRoot>
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
const NOTICES: Record<NonNullable<MembersController["notice"]>["kind"], MessageKey> = {
  invited: "members.done.invited",
  updated: "members.done.updated",
  suspended: "members.done.suspended",
  reactivated: "members.done.reactivated",
  removed: "members.done.removed",
  resent: "members.done.resent",
  revoked: "members.done.revoked",
  transferred: "members.done.transferred",
};

/** A role by its name; the built-in ones, unless the workspace renamed them, in the widget's language. */
export function roleName(i18n: I18n, role: Pick<Role, "key" | "name" | "builtIn">): string {
  const key = `role.${role.key}` as MessageKey;
  return role.builtIn && en[key] === role.name ? i18n.t(key) : role.name;
}

/** The name for a role key: the workspace's role, else a built-in one's translation, else the key. */
function roleNameOfKey(i18n: I18n, roles: readonly Role[], key: string): string {
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

function LoadingState({ i18n }: { i18n: I18n }) {
  return (
    <div className="tnt-skeleton" role="status">
      <span className="tnt-visually-hidden">{i18n.t("common.loading")}</span>
      {[0, 1, 2, 3].map((row) => (
        <div key={row} className="tnt-skeleton-row tnt-skeleton-line" aria-hidden="true">
          <span className="tnt-skeleton-input" />
        </div>
      ))}
    </div>
  );
}

// Only the core: the server filters, searches and pages, so no client-side table features are bundled.
const features = tableFeatures({});
const columns = createColumnHelper<typeof features, Member>();

function Members({
  i18n,
  controller,
  onManage,
}: {
  i18n: I18n;
  controller: MembersController;
  onManage: (member: Member) => void;
}) {
  const searchId = useId();
  const statusId = useId();
  const typeId = useId();
  const { members, filters, problem, notice } = controller;
  // flexRender renders each cell function as a component: the columns must keep their identity across
  // renders, or every row's buttons would be remounted (and lose keyboard focus) on each update.
  const latest = useRef({ controller, onManage });
  latest.current = { controller, onManage };

  const tableColumns = useMemo(
    () =>
      columns.columns([
        columns.display({
          id: "member",
          header: () => i18n.t("members.col.member"),
          cell: ({ row }) => {
            const member = row.original;
            const name = displayName(member);
            return (
              <div className="tnt-person">
                <span className="tnt-avatar" aria-hidden="true">
                  {initials(name)}
                </span>
                <span className="tnt-person-text">
                  <span className="tnt-person-name">
                    {name}
                    {member.userId === latest.current.controller.selfUserId && (
                      <span className="tnt-tag">{i18n.t("members.you")}</span>
                    )}
                  </span>
                  {name !== member.user.email && (
                    <span className="tnt-person-email">{member.user.email}</span>
                  )}
                </span>
              </div>
            );
          },
        }),
        columns.accessor("type", {
          header: () => i18n.t("members.col.type"),
          cell: ({ getValue }) => i18n.t(`type.${getValue()}` as MessageKey),
        }),
        columns.accessor("status", {
          header: () => i18n.t("members.col.status"),
          cell: ({ getValue }) => (
            <span className={`tnt-badge tnt-badge-${getValue()}`}>
              {i18n.t(`status.${getValue()}` as MessageKey)}
            </span>
          ),
        }),
        columns.accessor("roles", {
          header: () => i18n.t("members.col.roles"),
          cell: ({ getValue }) => {
            const keys = getValue();
            if (keys.length === 0) return <span className="tnt-muted">{i18n.t("members.noRoles")}</span>;
            const roles = latest.current.controller.roles;
            return keys.map((key) => roleNameOfKey(i18n, roles, key)).join(", ");
          },
        }),
        columns.accessor("joinedAt", {
          header: () => i18n.t("members.col.joined"),
          cell: ({ getValue }) => {
            const joined = getValue();
            return joined ? (
              i18n.formatDate(joined)
            ) : (
              <span className="tnt-muted">{i18n.t("members.notJoined")}</span>
            );
          },
        }),
        columns.display({
          id: "actions",
          header: () => <span className="tnt-visually-hidden">{i18n.t("members.col.actions")}</span>,
          cell: ({ row }) => {
            const member = row.original;
            const allowed = Object.values(latest.current.controller.actionsFor(member)).some(Boolean);
            if (!allowed) return null;
            return (
              <button
                type="button"
                className="tnt-button tnt-button-small"
                aria-label={i18n.t("members.manageLabel", { name: displayName(member) })}
                disabled={latest.current.controller.pending.has(member.userId)}
                onClick={() => latest.current.onManage(member)}
              >
                {i18n.t("members.manage")}
              </button>
            );
          },
        }),
      ]),
    [i18n],
  );

  const table = useTable({
    features,
    data: members,
    columns: tableColumns,
    getRowId: (member) => member.userId,
  });

  return (
    <>
      {controller.readOnly && <p className="tnt-banner tnt-banner-info">{i18n.t("members.readOnly")}</p>}
      <search className="tnt-toolbar">
        <div className="tnt-field tnt-toolbar-search">
          <label htmlFor={searchId} className="tnt-label">
            {i18n.t("members.search")}
          </label>
          <input
            id={searchId}
            className="tnt-input"
            type="search"
            placeholder={i18n.t("members.searchPlaceholder")}
            value={filters.q}
            autoComplete="off"
            onChange={(event) => controller.setFilters({ q: event.target.value })}
          />
        </div>
        <div className="tnt-field">
          <label htmlFor={statusId} className="tnt-label">
            {i18n.t("members.filterStatus")}
          </label>
          <select
            id={statusId}
            className="tnt-input tnt-select"
            value={filters.status}
            onChange={(event) =>
              controller.setFilters({ status: event.target.value as Member["status"] | "" })
            }
          >
            <option value="">{i18n.t("members.allStatuses")}</option>
            {MEMBER_STATUSES.map((status) => (
              <option key={status} value={status}>
                {i18n.t(`status.${status}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <div className="tnt-field">
          <label htmlFor={typeId} className="tnt-label">
            {i18n.t("members.filterType")}
          </label>
          <select
            id={typeId}
            className="tnt-input tnt-select"
            value={filters.type}
            onChange={(event) => controller.setFilters({ type: event.target.value as MemberType | "" })}
          >
            <option value="">{i18n.t("members.allTypes")}</option>
            {MEMBER_TYPES.map((type) => (
              <option key={type} value={type}>
                {i18n.t(`type.${type}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
      </search>

      {problem && (
        <div className="tnt-banner tnt-banner-error" role="alert">
          <p>{problemText(i18n, problem)}</p>
          <button type="button" className="tnt-button" onClick={controller.dismissProblem}>
            {i18n.t("members.dismiss")}
          </button>
        </div>
      )}
      <p className="tnt-status tnt-members-status" role="status">
        {notice ? i18n.t(NOTICES[notice.kind], { name: notice.name, email: notice.name }) : ""}
      </p>

      {members.length === 0 ? (
        <div className="tnt-empty">
          <p>
            {controller.filtered
              ? i18n.t("members.noMatches")
              : controller.canInvite
                ? i18n.t("members.empty")
                : i18n.t("members.emptyReadOnly")}
          </p>
          {controller.filtered && (
            <button type="button" className="tnt-button" onClick={controller.clearFilters}>
              {i18n.t("members.clearFilters")}
            </button>
          )}
        </div>
      ) : (
        <div className="tnt-table-wrap">
          <table className="tnt-table" aria-busy={controller.fetching}>
            <caption className="tnt-visually-hidden">
              {i18n.t("members.title")} · {i18n.plural("members.count", members.length)}
            </caption>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => (
                    <th key={header.id} scope="col" className={`tnt-col-${header.column.id}`}>
                      {flexRender(header.column.columnDef.header, header.getContext())}
                    </th>
                  ))}
                </tr>
              ))}
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} data-pending={controller.pending.has(row.id) || undefined}>
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id} className={`tnt-col-${cell.column.id}`}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {(controller.hasPreviousPage || controller.hasNextPage) && (
        <nav className="tnt-pagination" aria-label={i18n.t("members.pagination")}>
          <button
            type="button"
            className="tnt-button"
            disabled={!controller.hasPreviousPage}
            onClick={controller.previousPage}
          >
            {i18n.t("members.previous")}
          </button>
          <span className="tnt-muted">{i18n.t("members.page", { page: controller.page })}</span>
          <button
            type="button"
            className="tnt-button"
            disabled={!controller.hasNextPage}
            onClick={controller.nextPage}
          >
            {i18n.t("members.next")}
          </button>
        </nav>
      )}
    </>
  );
}

function initials(name: string): string {
  const parts = name.split(/[\s@.]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "") + (parts[1]?.[0] ?? "")).toUpperCase();
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function InviteDialog({
  i18n,
  controller,
  open,
  onClose,
}: {
  i18n: I18n;
  controller: MembersController;
  open: boolean;
  onClose: () => void;
}) {
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
              {MEMBER_TYPES.filter((t) => t !== "owner").map((t) => (
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

function ManageDialog({
  i18n,
  controller,
  member,
  onClose,
  onConfirm,
}: {
  i18n: I18n;
  controller: MembersController;
  member: Member;
  onClose: () => void;
  onConfirm: (action: Confirmable) => void;
}) {
  const id = useId();
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
                {MEMBER_TYPES.map((t) => (
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
