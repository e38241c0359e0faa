// `@tenantry/widgets/tenant-fields-form`: the form and its headless hook (with the provider it needs).
export { TenantryProvider } from "../provider/TenantryProvider";
export type { TenantFieldsFormProps } from "../tenant-fields-form/TenantFieldsForm";
export { TenantFieldsForm } from "../tenant-fields-form/TenantFieldsForm";
export type { SecretEdit, TenantFieldState } from "../tenant-fields-form/useTenantFields";
export { useTenantFields } from "../tenant-fields-form/useTenantFields";
