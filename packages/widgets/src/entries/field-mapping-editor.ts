// `@tenantry/widgets/field-mapping-editor`: a field mapping's two-column editor and its headless hook.

export type { FieldMappingEditorProps } from "../elements/FieldMappingEditor.js";
export { FieldMappingEditor } from "../elements/FieldMappingEditor.js";
export type { ElementController, ElementSelector } from "../elements/useElement.js";
export { useElement } from "../elements/useElement.js";
export { TenantryProvider } from "../provider/TenantryProvider.js";
