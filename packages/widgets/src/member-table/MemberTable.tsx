import { createColumnHelper, flexRender, tableFeatures, useTable } from "@tanstack/react-table";
import { MEMBERSHIP_TYPES } from "@tenantry/contracts/membership-values";
import { lazy, Suspense, useId, useMemo, useRef, useState } from "react";
import type { I18n } from "../i18n/i18n.js";
import type { MessageKey } from "../i18n/messages.js";
import { useI18n } from "../provider/TenantryProvider.js";
import { WidgetRoot } from "../provider/WidgetRoot.js";
import { loadFailedText } from "../shared/problem.js";
import type { DialogParts } from "./dialog-parts.js";
import { type Confirmable, problemText, roleName, roleNameOfKey } from "./member-texts.js";
import {
  displayName,
  MEMBER_STATUSES,
  type Member,
  type MembersController,
  type MemberType,
  useMembers,
} from "./useMembers.js";

const InviteDialog = lazy(() =>
  import("./InviteDialog.js").then((module) => ({ default: module.InviteDialog })),
);
const ConfirmMemberDialog = lazy(() =>
  import("./ManageDialog.js").then((module) => ({ default: module.ConfirmMemberDialog })),
);
const ManageDialog = lazy(() =>
  import("./ManageDialog.js").then((module) => ({ default: module.ManageDialog })),
);

const dialogParts: DialogParts = {
  problemText,
  roleName,
  displayName,
  memberTypes: MEMBERSHIP_TYPES,
};

export interface MemberTableProps {
  /** The heading; "Members" (translated) unless given. */
  title?: string;
  /** Members per page (1 to 100); 20 unless given. */
  pageSize?: number;
  className?: string;
}

/** The tenant's members: search, filters, pages, invitations and per-member actions the actor may take. */
export function MemberTable(props: MemberTableProps) {
  const i18n = useI18n();
  const controller = useMembers({ pageSize: props.pageSize });
  const titleId = useId();
  const [inviteOpen, setInviteOpen] = useState(false);
  // Mounted on first use and kept, so closing hands focus back like any native dialog.
  const [inviteUsed, setInviteUsed] = useState(false);
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
              onClick={() => {
                setInviteUsed(true);
                setInviteOpen(true);
              }}
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

      {/* The dialogs are their own chunk, loaded when first opened. */}
      {inviteUsed && (
        <Suspense fallback={null}>
          <InviteDialog
            parts={dialogParts}
            i18n={i18n}
            controller={controller}
            open={inviteOpen}
            onClose={() => setInviteOpen(false)}
          />
        </Suspense>
      )}
      {managed && (
        <Suspense fallback={null}>
          <ManageDialog
            parts={dialogParts}
            i18n={i18n}
            controller={controller}
            member={managed}
            onClose={() => setManaging(null)}
            onConfirm={(action) => {
              setManaging(null);
              setConfirming({ action, member: managed });
            }}
          />
        </Suspense>
      )}
      {confirming && (
        <Suspense fallback={null}>
          <ConfirmMemberDialog
            parts={dialogParts}
            i18n={i18n}
            action={confirming.action}
            member={confirming.member}
            onCancel={() => setConfirming(null)}
            onConfirm={() => {
              const { action, member } = confirming;
              setConfirming(null);
              void controller[action](member);
            }}
          />
        </Suspense>
      )}
    </WidgetRoot>
  );
}

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
            {MEMBERSHIP_TYPES.map((type) => (
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
