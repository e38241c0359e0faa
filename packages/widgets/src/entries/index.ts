// The package's root entry (`@tenantry/widgets`): every widget and hook. Hosts that use one widget
// import its subpath instead and pay only for it.
export type { ConnectionUIProps } from "../connection-ui/ConnectionUI.js";
export { ConnectionUI } from "../connection-ui/ConnectionUI.js";
export type {
  AppEntry,
  CatalogApp,
  Connection,
  ConnectionNotice,
  ConnectionProblem,
  ConnectionStatus,
  ParametersOutcome,
} from "../connection-ui/useConnections.js";
export { useConnections } from "../connection-ui/useConnections.js";
export type { ElementConfigFormProps } from "../elements/ElementConfigForm.js";
export { ElementConfigForm } from "../elements/ElementConfigForm.js";
export type { FieldMappingEditorProps } from "../elements/FieldMappingEditor.js";
export { FieldMappingEditor } from "../elements/FieldMappingEditor.js";
export type { ElementController, ElementSelector } from "../elements/useElement.js";
export { useElement } from "../elements/useElement.js";
export type { I18n } from "../i18n/i18n.js";
export type { MessageKey } from "../i18n/messages.js";
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
export type { TenantryProviderProps, Theme } from "../provider/TenantryProvider.js";
export { TenantryProvider, useI18n, useMe, useTenantryOrigin } from "../provider/TenantryProvider.js";
export type { TenantFieldsFormProps } from "../tenant-fields-form/TenantFieldsForm.js";
export { TenantFieldsForm } from "../tenant-fields-form/TenantFieldsForm.js";
export type { SecretEdit, TenantFieldState } from "../tenant-fields-form/useTenantFields.js";
export { useTenantFields } from "../tenant-fields-form/useTenantFields.js";
export type { UsageMeterProps } from "../usage-meter/UsageMeter.js";
export { UsageMeter } from "../usage-meter/UsageMeter.js";
export type { UsageItem, UsageState } from "../usage-meter/useUsage.js";
export { useUsage } from "../usage-meter/useUsage.js";
