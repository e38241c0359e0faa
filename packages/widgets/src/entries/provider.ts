// `@tenantry/widgets/provider`: the provider and the shared hooks, for hosts that bring their own UI.
export type { I18n } from "../i18n/i18n.js";
export type { TenantryProviderProps, Theme } from "../provider/TenantryProvider.js";
export { TenantryProvider, useI18n, useMe, useTenantryOrigin } from "../provider/TenantryProvider.js";
