// `@tenantry/widgets/element-config-form`: an element's configuration form and its headless hook.
export type { ElementConfigFormProps } from "../elements/ElementConfigForm.js";
export { ElementConfigForm } from "../elements/ElementConfigForm.js";
export type { ElementController, ElementSelector } from "../elements/useElement.js";
export { useElement } from "../elements/useElement.js";
export { TenantryProvider } from "../provider/TenantryProvider.js";
