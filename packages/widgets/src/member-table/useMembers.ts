import type { TenantryRouter } from "@tenantry/contracts/router";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useMe, useOperatorMode } from "../provider/TenantryProvider.js";
import { trpc } from "../provider/trpc.js";
import { may, mayGrant } from "../shared/access.js";
import { type Problem, problemOf } from "../shared/problem.js";

type Outputs = inferRouterOutputs<TenantryRouter>;
type Inputs = inferRouterInputs<TenantryRouter>;
export type Member = Outputs["members"]["list"]["items"][number];
export type MemberStatus = Member["status"];
export type MemberType = Member["type"];
export type Role = Outputs["roles"]["list"]["items"][number];
type ListInput = Inputs["members"]["list"];

export const MEMBER_STATUSES: readonly MemberStatus[] = ["active", "invited", "suspended", "left"];

/** What the actor may do to one member, from `/me` permissions and the server's own rules. */
export interface MemberActions {
  changeType: boolean;
  editRoles: boolean;
  suspend: boolean;
  reactivate: boolean;
  remove: boolean;
  transferOwnership: boolean;
  resendInvitation: boolean;
  revokeInvitation: boolean;
}

/** A failed action, by the server's stable error code; `name` is whom it was about. */
export interface MemberProblem extends Problem {
  name: string;
}

/** What the last action did, for a polite status message. */
export interface MemberNotice {
  kind:
    | "invited"
    | "updated"
    | "suspended"
    | "reactivated"
    | "removed"
    | "resent"
    | "revoked"
    | "transferred";
  name: string;
}

export interface MembersFilters {
  q: string;
  status: MemberStatus | "";
  type: MemberType | "";
}

export function displayName(member: Pick<Member, "user">): string {
  const name = [member.user.firstName, member.user.lastName].filter(Boolean).join(" ");
  return name || member.user.email;
}

const SEARCH_DELAY_MS = 250;

/**
 * The member table without its UI: the token's tenant's members with search, status and type filters
 * and keyset pages; every action as a function that updates the list optimistically and rolls back
 * when the server refuses; and `actionsFor(member)`, which says what the actor may do.
 */
export function useMembers(options: { pageSize?: number } = {}) {
  const pageSize = options.pageSize ?? 20;
  const me = useMe();
  const tenantId = me.data?.tenant.id;
  const permissions = me.data?.permissions ?? [];
  const canWrite = may(permissions, "members.changeType");
  const canReadRoles = may(permissions, "members.viewRoles");
  const canWriteRoles = may(permissions, "members.editRoles");
  const self = me.data?.member ?? null;
  // Ownership is the owner role (the server's rule), never the `type` label.
  const selfIsOwner = self?.status === "active" && self.roles.includes("owner");
  // The server lets only owners give the owner role, unless the caller is the workspace itself.
  const mayMakeOwners = useOperatorMode() || selfIsOwner;

  const utils = trpc.useUtils();
  const [filters, setFiltersState] = useState<MembersFilters>({ q: "", status: "", type: "" });
  const [q, setQ] = useState("");
  // Cursors of the pages before the current one; the first page has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];

  // Typing does not fire a request per key: the search applies once the user pauses.
  useEffect(() => {
    const trimmed = filters.q.trim();
    if (trimmed === q) return;
    const timer = setTimeout(() => {
      setQ(trimmed);
      setCursors([undefined]);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [filters.q, q]);

  const { status: statusFilter, type: typeFilter } = filters;
  const input = useMemo<ListInput>(
    () => ({
      tenantId: tenantId ?? "",
      limit: pageSize,
      ...(q ? { q } : {}),
      ...(statusFilter ? { status: statusFilter } : {}),
      ...(typeFilter ? { type: typeFilter } : {}),
      ...(cursor ? { cursor } : {}),
    }),
    [tenantId, pageSize, q, statusFilter, typeFilter, cursor],
  );
  const list = trpc.members.list.useQuery(input, {
    enabled: Boolean(tenantId),
    placeholderData: (previous) => previous,
  });
  const roles = trpc.roles.list.useQuery(undefined, { enabled: Boolean(tenantId) && canReadRoles });

  const [problem, setProblem] = useState<MemberProblem | null>(null);
  const [notice, setNotice] = useState<MemberNotice | null>(null);
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());

  const setFilters = useCallback((next: Partial<MembersFilters>) => {
    setFiltersState((current) => ({ ...current, ...next }));
    if (next.status !== undefined || next.type !== undefined) setCursors([undefined]);
  }, []);
  const clearFilters = useCallback(() => {
    setFiltersState({ q: "", status: "", type: "" });
    setQ("");
    setCursors([undefined]);
  }, []);

  const nextCursor = list.data?.nextCursor ?? null;
  const nextPage = useCallback(() => {
    if (nextCursor) setCursors((current) => [...current, nextCursor]);
  }, [nextCursor]);
  const previousPage = useCallback(() => {
    setCursors((current) => (current.length > 1 ? current.slice(0, -1) : current));
  }, []);

  const actionsFor = useCallback(
    (member: Member): MemberActions => {
      // The server refuses changes to one's own membership; offering them would only lead to an error.
      const other = member.userId !== self?.userId;
      const write = canWrite && other;
      return {
        changeType: write && member.status !== "left",
        editRoles: canWriteRoles && other && member.status !== "left",
        suspend: write && member.status === "active",
        reactivate: write && member.status === "suspended",
        remove: write,
        transferOwnership:
          may(permissions, "members.transferOwnership") &&
          selfIsOwner &&
          other &&
          member.status === "active" &&
          member.type !== "owner",
        resendInvitation: write && member.status === "invited",
        revokeInvitation: write && member.status === "invited",
      };
    },
    [canWrite, canWriteRoles, self?.userId, selfIsOwner, permissions],
  );

  /** Roles the actor may bind or unbind: the server lets one grant only what one holds. */
  const mayAssign = useCallback(
    (role: Role) => mayGrant(permissions, role) && (role.key !== "owner" || mayMakeOwners),
    [permissions, mayMakeOwners],
  );

  /** Runs a change with the list patched at once, restored if the server says no. */
  const run = useCallback(
    async (
      member: Member,
      change: (() => Promise<unknown>) | null,
      optimistic: ((current: Member) => Member | null) | null,
      done: MemberNotice["kind"],
    ): Promise<boolean> => {
      const previous = utils.members.list.getData(input);
      if (optimistic && previous) {
        utils.members.list.setData(input, {
          ...previous,
          items: previous.items.flatMap((item) => {
            if (item.userId !== member.userId) return [item];
            const next = optimistic(item);
            return next ? [next] : [];
          }),
        });
      }
      setProblem(null);
      setNotice(null);
      setPending((current) => new Set(current).add(member.userId));
      try {
        await change?.();
        setNotice({ kind: done, name: displayName(member) });
        return true;
      } catch (error) {
        if (previous) utils.members.list.setData(input, previous);
        setProblem({ ...problemOf(error), name: displayName(member) });
        return false;
      } finally {
        setPending((current) => {
          const next = new Set(current);
          next.delete(member.userId);
          return next;
        });
        await utils.members.list.invalidate();
        // Changes to one's own tenant can change what `/me` answers (ownership transfer).
        await utils.accessTokens.me.invalidate();
      }
    },
    [utils, input],
  );

  const patch = trpc.members.patch.useMutation();
  const remove = trpc.members.delete.useMutation();
  const resend = trpc.members.resendInvitation.useMutation();
  const revoke = trpc.members.revokeInvitation.useMutation();
  const transfer = trpc.members.transferOwnership.useMutation();
  const bind = trpc.roles.bind.useMutation();
  const unbind = trpc.roles.unbind.useMutation();
  const create = trpc.members.create.useMutation();

  const t = tenantId ?? "";
  const ref = (member: Member) => ({ tenantId: t, userId: member.userId });
  const actions = {
    changeType: (member: Member, type: MemberType) =>
      run(
        member,
        () => patch.mutateAsync({ ...ref(member), type }),
        (current) => ({ ...current, type }),
        "updated",
      ),
    suspend: (member: Member) =>
      run(
        member,
        () => patch.mutateAsync({ ...ref(member), status: "suspended" }),
        (current) => ({ ...current, status: "suspended" }),
        "suspended",
      ),
    reactivate: (member: Member) =>
      run(
        member,
        () => patch.mutateAsync({ ...ref(member), status: "active" }),
        (current) => ({ ...current, status: "active" }),
        "reactivated",
      ),
    remove: (member: Member) =>
      run(
        member,
        () => remove.mutateAsync(ref(member)),
        () => null,
        "removed",
      ),
    resendInvitation: (member: Member) => run(member, () => resend.mutateAsync(ref(member)), null, "resent"),
    revokeInvitation: (member: Member) =>
      run(
        member,
        () => revoke.mutateAsync(ref(member)),
        () => null,
        "revoked",
      ),
    transferOwnership: (member: Member) =>
      run(
        member,
        () => transfer.mutateAsync({ tenantId: t, toUserId: member.userId }),
        (current) => ({ ...current, type: "owner" }),
        "transferred",
      ),
    /** Binds or unbinds one role; unbinding looks up the binding's id first. */
    setRole: (member: Member, role: Role, bound: boolean) =>
      run(
        member,
        async () => {
          if (bound) {
            await bind.mutateAsync({
              tenantId: t,
              roleId: role.id,
              subject: { type: "user", id: member.userId },
            });
            return;
          }
          const bindings = await utils.roles.listBindings.fetch({
            tenantId: t,
            subjectType: "user",
            subjectId: member.userId,
          });
          const binding = bindings.items.find((item) => item.roleId === role.id);
          if (binding) await unbind.mutateAsync({ tenantId: t, id: binding.id });
        },
        (current) => ({
          ...current,
          roles: bound
            ? [...new Set([...current.roles, role.key])]
            : current.roles.filter((key) => key !== role.key),
        }),
        "updated",
      ),
  };

  /** Invites by email; resolves to null when sent, else the problem (shown in the invite dialog). */
  const invite = useCallback(
    async (invitation: {
      email: string;
      firstName?: string;
      lastName?: string;
      type: MemberType;
      role?: string;
    }): Promise<MemberProblem | null> => {
      try {
        await create.mutateAsync({
          tenantId: t,
          email: invitation.email,
          ...(invitation.firstName ? { firstName: invitation.firstName } : {}),
          ...(invitation.lastName ? { lastName: invitation.lastName } : {}),
          type: invitation.type,
          ...(invitation.role ? { roles: [invitation.role] } : {}),
        });
        setProblem(null);
        setNotice({ kind: "invited", name: invitation.email });
        await utils.members.list.invalidate();
        return null;
      } catch (error) {
        return { ...problemOf(error), name: invitation.email };
      }
    },
    [create, t, utils],
  );

  const loadError = me.error ?? list.error;
  const status: "loading" | "error" | "ready" = loadError
    ? "error"
    : list.data && me.data
      ? "ready"
      : "loading";
  const filtered = Boolean(q || filters.status || filters.type);

  return {
    status,
    loadError,
    retry: () => (me.error ? me.refetch() : list.refetch()),
    members: list.data?.items ?? [],
    fetching: list.isFetching,
    filters,
    filtered,
    setFilters,
    clearFilters,
    page: cursors.length,
    hasNextPage: nextCursor !== null,
    hasPreviousPage: cursors.length > 1,
    nextPage,
    previousPage,
    roles: useMemo(() => roles.data?.items ?? [], [roles.data]),
    mayAssign,
    // Every invitation binds a role, so it needs one the actor may grant.
    canInvite: may(permissions, "members.invite") && (roles.data?.items ?? []).some(mayAssign),
    readOnly: !canWrite && !canWriteRoles,
    selfUserId: self?.userId ?? null,
    actionsFor,
    pending,
    problem,
    notice,
    dismissProblem: () => setProblem(null),
    inviting: create.isPending,
    invite,
    ...actions,
  };
}

export type MembersController = ReturnType<typeof useMembers>;
