import type { FieldDefinition } from "@tenantry/contracts/fields";
import type { JsonValue } from "@tenantry/contracts/json";
import { useState } from "react";
import { useI18n } from "../provider/TenantryProvider.js";
import { fromInput, type InputValue, kindOf, toInput } from "../tenant-fields-form/field-model.js";
import type { ElementRow } from "./ElementShell.js";
import { ElementShell } from "./element-shell-loader.js";
import { type ElementSelector, pointerOf, useElement, valueAt } from "./useElement.js";

export interface ElementConfigFormProps extends ElementSelector {
  /** The heading; the element's name unless given. */
  title?: string;
  onSaved?: () => void;
  className?: string;
}

type SchemaNode = FieldDefinition & { properties?: Record<string, SchemaNode>; "x-order"?: number };

/** The schema's leaves, in `x-order` then name order (jsonb keeps no key order); nested titles prefix labels. */
function leavesOf(
  node: SchemaNode,
  parent = "",
  prefix = "",
): { pointer: string; label: string; node: SchemaNode }[] {
  return Object.entries(node.properties ?? {})
    .sort(([a, x], [b, y]) => (x["x-order"] ?? 1e9) - (y["x-order"] ?? 1e9) || a.localeCompare(b))
    .flatMap(([name, child]) => {
      const pointer = pointerOf(parent, name);
      const label = prefix + (child.title ?? name);
      if (child.properties) return leavesOf(child, pointer, `${label} › `);
      return (child.type as string) === "object" || (child.type as string) === "array"
        ? []
        : [{ pointer, label, node: child }];
    });
}

/**
 * A form generated from an element's config schema. Each field says whether the tenant customized
 * it and whether the template's default moved since, and resets to the default on its own; the
 * server checks every change against the same schema and its answer is shown on the field.
 */
export function ElementConfigForm(props: ElementConfigFormProps) {
  const i18n = useI18n();
  const c = useElement(props);
  const [edits, setEdits] = useState<Record<string, InputValue>>({});
  const e = c.element;
  const leaves = e ? leavesOf(e.configSchema as SchemaNode) : [];
  const dirty = leaves.filter(
    (leaf) =>
      leaf.pointer in edits &&
      edits[leaf.pointer] !== toInput(kindOf(leaf.node), valueAt(e!.config, leaf.pointer)),
  );
  const rows: ElementRow[] = leaves.map(({ pointer, label, node }) => {
    const kind = kindOf(node);
    const input = edits[pointer] ?? toInput(kind, valueAt(e!.config, pointer));
    const set = (value: InputValue) => setEdits((current) => ({ ...current, [pointer]: value }));
    const customized = Object.keys(e!.overrides).some((o) => pointer === o || pointer.startsWith(`${o}/`));
    return {
      pointer,
      label,
      // Where the tenant customized, the template's value says what a reset would bring back.
      hint: [
        node.description,
        customized &&
          i18n.t("elements.default", { value: JSON.stringify(valueAt(e!.defaults, pointer) ?? null) }),
      ]
        .filter(Boolean)
        .join(" "),
      control: (a11y) =>
        kind === "boolean" ? (
          <input
            {...a11y}
            type="checkbox"
            className="tnt-checkbox"
            checked={input === true}
            onChange={(ev) => set(ev.target.checked)}
          />
        ) : kind === "select" ? (
          <select
            {...a11y}
            className="tnt-input tnt-select"
            value={String(input)}
            onChange={(ev) => set(ev.target.value)}
          >
            <option value="">{i18n.t("fields.choose")}</option>
            {((node as { enum?: (string | number)[] }).enum ?? []).map((option) => (
              <option key={String(option)}>{String(option)}</option>
            ))}
          </select>
        ) : (
          <input
            {...a11y}
            className="tnt-input"
            type={kind === "number" || kind === "integer" ? "number" : "text"}
            value={String(input)}
            onChange={(ev) => set(ev.target.value)}
          />
        ),
    };
  });
  return (
    <ElementShell
      i18n={i18n}
      c={c}
      title={props.title ?? ""}
      className={`tnt-element ${props.className ?? ""}`}
      rows={rows}
      dirty={dirty.length > 0}
      onDiscard={() => setEdits({})}
      onSave={async () => {
        const overrides = Object.fromEntries(
          dirty.map((leaf) => [
            leaf.pointer,
            fromInput(leaf.node, kindOf(leaf.node), edits[leaf.pointer]!) as JsonValue,
          ]),
        );
        const ok = await c.save(overrides);
        if (ok) {
          setEdits({});
          props.onSaved?.();
        }
        return ok;
      }}
    />
  );
}
