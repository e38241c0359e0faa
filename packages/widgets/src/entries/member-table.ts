// `@tenantry/widgets/member-table`: the member table and its headless hook (with the provider it needs).

export type { MemberTableProps } from "../member-table/MemberTable.js";
export { MemberTable } from "../member-table/MemberTable.js";
export type {
  Member,
  MemberActions,
  MemberProblem,
  MemberStatus,
  MembersFilters,
  MemberType,
  Role,
} from "../member-table/useMembers.js";
export { useMembers } from "../member-table/useMembers.js";
export { TenantryProvider } from "../provider/TenantryProvider.js";
