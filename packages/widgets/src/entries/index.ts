// The package's root entry (`@tenantry/widgets`): every widget and hook. Hosts that use one widget
// import its subpath instead and pay only for it.
export type { ConnectionUIProps } from "../connection-ui/ConnectionUI";
export { ConnectionUI } from "../connection-ui/ConnectionUI";
export type {
  AppEntry,
  CatalogApp,
  Connection,
  ConnectionNotice,
  ConnectionProblem,
  ConnectionStatus,
  ParametersOutcome,
} from "../connection-ui/useConnections";
export { useConnections } from "../connection-ui/useConnections";
export type { ElementConfigFormProps } from "../elements/ElementConfigForm";
export { ElementConfigForm } from "../elements/ElementConfigForm";
export type { FieldMappingEditorProps } from "../elements/FieldMappingEditor";
export { FieldMappingEditor } from "../elements/FieldMappingEditor";
export type { ElementController, ElementSelector } from "../elements/useElement";
export { useElement } from "../elements/useElement";
export type { I18n } from "../i18n/i18n";
export type { MessageKey } from "../i18n/messages";
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
export type { TenantryProviderProps, Theme } from "../provider/TenantryProvider";
export { TenantryProvider, useI18n, useMe, useTenantryOrigin } from "../provider/TenantryProvider";
export type { TenantFieldsFormProps } from "../tenant-fields-form/TenantFieldsForm";
export { TenantFieldsForm } from "../tenant-fields-form/TenantFieldsForm";
export type { SecretEdit, TenantFieldState } from "../tenant-fields-form/useTenantFields";
export { useTenantFields } from "../tenant-fields-form/useTenantFields";
export type { UsageMeterProps } from "../usage-meter/UsageMeter";
export { UsageMeter } from "../usage-meter/UsageMeter";
export type { UsageItem, UsageState } from "../usage-meter/useUsage";
export { useUsage } from "../usage-meter/useUsage";
