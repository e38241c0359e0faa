// `@tenantry/widgets/member-table`: the member table and its headless hook (with the provider it needs).

export type { MemberTableProps } from "../member-table/MemberTable";
export { MemberTable } from "../member-table/MemberTable";
export type {
  Member,
  MemberActions,
  MemberProblem,
  MemberStatus,
  MembersFilters,
  MemberType,
  Role,
} from "../member-table/useMembers";
export { useMembers } from "../member-table/useMembers";
export { TenantryProvider } from "../provider/TenantryProvider";
