import type { Element, PatchElementInput, ResetElementInput } from "@tenantry/contracts/elements";
import type { Executor } from "@tenantry/db/database";
import { recordActivity } from "../activity/service";
import { appError, type InputIssue } from "../shared/errors";
import type { ServiceContext } from "../shared/service-context";
import {
  baseValues,
  checkOverridePaths,
  isSameOrBelow,
  type JsonMap,
  mergeOverrides,
  parsePointer,
  validateConfig,
  validatorFor,
  valueAt,
} from "./config";
import { clone, type Joined, toElement } from "./element-view";
import { changeTarget, lockForChange, updateInstance } from "./instance-changes";
import { setupOutcome } from "./setup";
import { EMPTY_CONFIG_SCHEMA } from "./templates";

/** A tenant's customization: overrides set at JSON Pointers, and reset so they follow the template again. */

function invalid(
  code: "invalid_override_path" | "invalid_configuration",
  what: string,
  issues: InputIssue[],
) {
  const first = issues[0]!;
  return appError("BAD_REQUEST", code, `${what}: ${first.path} ${first.message}`, { issues });
}

/** Only setup that ran already is re-checked on a change; one still setting up waits for its deploy. */
async function refreshSetup(tx: Executor, joined: Joined, config: JsonMap) {
  if (joined.instance.setupState === "setting_up") {
    return { setupState: joined.instance.setupState, setupErrors: joined.instance.setupErrors };
  }
  return setupOutcome(tx, joined, config);
}

export async function patchElement(ctx: ServiceContext, input: PatchElementInput): Promise<Element> {
  const pointers = Object.keys(input.overrides);
  const badPointers = pointers.filter((p) => parsePointer(p) === null);
  if (badPointers.length > 0) {
    throw invalid(
      "invalid_override_path",
      "Not a JSON Pointer",
      badPointers.map((path) => ({
        path,
        message: "is not a JSON Pointer to a member (e.g. /settings/limit)",
      })),
    );
  }
  const target = await changeTarget(ctx, input);
  return ctx.db.transaction(async (tx) => {
    const instanceId = await target(tx);
    const joined = await lockForChange(tx, ctx.actor, { ...input, instanceId });
    const { instance, template } = joined;
    const owned = template === null;
    const configSchema = owned ? instance.configSchema : template.configSchema;
    // A tenant-owned element without a schema is the tenant's to shape as it likes.
    if (configSchema) {
      const pathIssues = checkOverridePaths(configSchema, pointers);
      if (pathIssues.length > 0) throw invalid("invalid_override_path", "Not changeable", pathIssues);
    }
    if (pointers.length === 0) return toElement(instance, template);

    let overrides = instance.overrides;
    let overrideBases = instance.overrideBases;
    let definition = instance.definition;
    let config: JsonMap;
    if (owned) {
      definition = mergeOverrides(clone(instance.definition!), input.overrides);
      config = definition;
    } else {
      // A path set replaces whatever was overridden below it.
      const kept = Object.entries(instance.overrides).filter(
        ([p]) => !pointers.some((set) => isSameOrBelow(p, set)),
      );
      overrides = { ...Object.fromEntries(kept), ...input.overrides };
      overrideBases = {
        ...Object.fromEntries(Object.entries(instance.overrideBases).filter(([p]) => p in overrides)),
        ...baseValues(template.definition, pointers),
      };
      config = mergeOverrides(clone(template.definition), overrides);
    }
    const issues = validateConfig(validatorFor(null, configSchema ?? EMPTY_CONFIG_SCHEMA), config);
    if (issues.length > 0)
      throw invalid("invalid_configuration", "The change breaks the config schema", issues);

    const setup = await refreshSetup(tx, joined, config);
    const row = await updateInstance(tx, ctx, instance, {
      overrides,
      overrideBases,
      definition,
      mergedRevision: template?.revision ?? instance.mergedRevision,
      ...setup,
    });
    await recordActivity(tx, ctx, {
      tenantId: instance.tenantId,
      action: "element.customized",
      targetType: "element",
      targetId: instance.id,
      before: owned ? pickPaths(instance.definition!, pointers) : pickKeys(instance.overrides, pointers),
      after: owned ? pickPaths(definition!, pointers) : pickKeys(overrides, pointers),
    });
    return toElement(row, template);
  });
}

const pickKeys = (map: JsonMap, keys: string[]) =>
  Object.fromEntries(Object.entries(map).filter(([k]) => keys.some((p) => isSameOrBelow(k, p))));
const pickPaths = (document: JsonMap, pointers: string[]) =>
  Object.fromEntries(pointers.map((p) => [p, valueAt(document, parsePointer(p) ?? []) ?? null]));

/** Drops overrides (all, or those at or below the given paths) so those parts follow the template again. */
export async function resetElement(ctx: ServiceContext, input: ResetElementInput): Promise<Element> {
  const target = await changeTarget(ctx, input);
  return ctx.db.transaction(async (tx) => {
    const joined = await lockForChange(tx, ctx.actor, { ...input, instanceId: await target(tx) });
    const { instance, template } = joined;
    if (!template) {
      throw appError("BAD_REQUEST", "invalid_input", "A tenant's own element has no template to reset to");
    }
    const paths = input.paths;
    const removed = Object.keys(instance.overrides).filter(
      (p) => !paths || paths.some((reset) => isSameOrBelow(p, reset)),
    );
    if (removed.length === 0) return toElement(instance, template);
    const overrides = Object.fromEntries(
      Object.entries(instance.overrides).filter(([p]) => !removed.includes(p)),
    );
    const overrideBases = Object.fromEntries(
      Object.entries(instance.overrideBases).filter(([p]) => !removed.includes(p)),
    );
    const config = mergeOverrides(clone(template.definition), overrides);
    const issues = validateConfig(validatorFor(null, template.configSchema), config);
    if (issues.length > 0) {
      throw invalid(
        "invalid_configuration",
        "What remains would break the config schema; reset more paths",
        issues,
      );
    }
    const setup = await refreshSetup(tx, joined, config);
    const row = await updateInstance(tx, ctx, instance, {
      overrides,
      overrideBases,
      mergedRevision: template.revision,
      ...setup,
    });
    await recordActivity(tx, ctx, {
      tenantId: instance.tenantId,
      action: "element.reset",
      targetType: "element",
      targetId: instance.id,
      before: pickKeys(instance.overrides, removed),
      after: Object.fromEntries(removed.map((p) => [p, null])),
    });
    return toElement(row, template);
  });
}
