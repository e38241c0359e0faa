import type { Element } from "@tenantry/contracts/elements";
import type { elementInstances } from "@tenantry/db/schema/elements";
import { checkOverridePaths, mergeOverrides, outdatedPaths, validateConfig, validatorFor } from "./config";
import { EMPTY_CONFIG_SCHEMA, type TemplateRow } from "./templates";

/** How an instance row becomes the element clients see; no database here. */

export type InstanceRow = typeof elementInstances.$inferSelect;
export interface Joined {
  instance: InstanceRow;
  template: TemplateRow | null;
}

export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * An instance as clients see it: the effective configuration (template definition + overrides),
 * validated against the config schema on every read, so a template change that breaks a tenant's
 * override shows as `configuration_error` at once rather than when something runs it.
 */
export function toElement(instance: InstanceRow, template: TemplateRow | null): Element {
  const owned = template === null;
  const defaults = owned ? instance.definition! : template.definition;
  const configSchema = owned ? (instance.configSchema ?? EMPTY_CONFIG_SCHEMA) : template.configSchema;
  const overrides = owned ? {} : instance.overrides;
  const hasOverrides = Object.keys(overrides).length > 0;
  const config = hasOverrides ? mergeOverrides(clone(defaults), overrides) : defaults;
  const cacheKey = owned
    ? `own:${instance.workspaceId}:${instance.id}`
    : `${template.workspaceId}:${template.id}:${template.revision}`;
  const configErrors = hasOverrides ? checkOverridePaths(configSchema, Object.keys(overrides)) : [];
  configErrors.push(...validateConfig(validatorFor(cacheKey, configSchema), config));
  const outdated = hasOverrides ? outdatedPaths(defaults, overrides, instance.overrideBases) : [];
  return {
    id: instance.id,
    tenantId: instance.tenantId,
    templateId: instance.templateId,
    connectionId: instance.connectionId,
    instanceKey: instance.instanceKey,
    type: instance.type,
    key: instance.key,
    name: owned ? (instance.name ?? instance.key) : template.name,
    appId: owned ? instance.appId : template.appId,
    dataSourceKey: owned ? instance.dataSourceKey : template.dataSourceKey,
    direction: owned ? instance.direction : template.direction,
    config,
    defaults,
    configSchema,
    overrides,
    isCustomized: hasOverrides,
    outdated: outdated.length > 0,
    outdatedPaths: outdated,
    templateRevision: owned ? null : template.revision,
    mergedRevision: owned ? null : instance.mergedRevision,
    revision: instance.revision,
    state: configErrors.length > 0 ? "configuration_error" : instance.setupState,
    errors: configErrors.length > 0 ? configErrors : instance.setupErrors,
    active: instance.archivedAt === null && (owned || template.archivedAt === null),
    archivedAt: (instance.archivedAt ?? template?.archivedAt)?.toISOString() ?? null,
    createdAt: instance.createdAt.toISOString(),
    updatedAt: instance.updatedAt.toISOString(),
  };
}
