// `@tenantry/widgets/tenant-fields-form`: the form and its headless hook (with the provider it needs).
export { TenantryProvider } from "../provider/TenantryProvider.js";
export type { TenantFieldsFormProps } from "../tenant-fields-form/TenantFieldsForm.js";
export { TenantFieldsForm } from "../tenant-fields-form/TenantFieldsForm.js";
export type { SecretEdit, TenantFieldState } from "../tenant-fields-form/useTenantFields.js";
export { useTenantFields } from "../tenant-fields-form/useTenantFields.js";
