// `@tenantry/widgets/field-mapping-editor`: a field mapping's two-column editor and its headless hook.

export type { FieldMappingEditorProps } from "../elements/FieldMappingEditor";
export { FieldMappingEditor } from "../elements/FieldMappingEditor";
export type { ElementController, ElementSelector } from "../elements/useElement";
export { useElement } from "../elements/useElement";
export { TenantryProvider } from "../provider/TenantryProvider";
