// `@tenantry/widgets/element-config-form`: an element's configuration form and its headless hook.
export type { ElementConfigFormProps } from "../elements/ElementConfigForm";
export { ElementConfigForm } from "../elements/ElementConfigForm";
export type { ElementController, ElementSelector } from "../elements/useElement";
export { useElement } from "../elements/useElement";
export { TenantryProvider } from "../provider/TenantryProvider";
