import type { JsonObject } from "@tenantry/contracts/json";
import { useState } from "react";
import { useI18n } from "../provider/TenantryProvider.js";
import { trpc } from "../provider/trpc.js";
import type { ElementRow } from "./ElementShell.js";
import { ElementShell } from "./element-shell-loader.js";
import { type ElementSelector, pointerOf, useElement, valueAt } from "./useElement.js";

export interface FieldMappingEditorProps extends ElementSelector {
  /** The heading; the mapping's name unless given. */
  title?: string;
  onSaved?: () => void;
  className?: string;
}

/** How one host field is filled: from an external field, a constant, or not at all (`{}`). */
type Rule = { field?: string; value?: unknown };

/**
 * A field mapping in two columns, per direction: the host's field, and the external field (from the
 * data source of the connection's app) or a constant that fills it.
 */
export function FieldMappingEditor(props: FieldMappingEditorProps) {
  const i18n = useI18n();
  const t = i18n.t;
  const c = useElement(props);
  const e = c.element;
  const external = trpc.elements.externalFields.useQuery(
    { tenantId: e?.tenantId ?? "", instanceId: e?.id ?? "" },
    { enabled: Boolean(e) },
  );
  const [edits, setEdits] = useState<Record<string, Rule>>({});
  const stored = (pointer: string) => (valueAt(e?.config, pointer) ?? {}) as Rule;
  const dirty = Object.keys(edits).filter((p) => JSON.stringify(edits[p]) !== JSON.stringify(stored(p)));
  const schema = (e?.configSchema ?? {}) as {
    properties?: Record<string, { properties?: Record<string, { title?: string }> }>;
  };
  const sections =
    e?.direction === "import" || e?.direction === "export" ? [e.direction] : ["import", "export"];
  const rows: ElementRow[] = sections.flatMap((section) =>
    Object.entries(schema.properties?.[section]?.properties ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, node]) => {
        const pointer = pointerOf(`/${section}`, name);
        const rule = edits[pointer] ?? stored(pointer);
        const label = `${t(`mapping.${section}` as "mapping.import")}: ${node.title ?? name}`;
        const set = (next: Rule) => setEdits((current) => ({ ...current, [pointer]: next }));
        // A mapped field the data source no longer lists still shows, so the tenant sees what to fix.
        const options = external.data?.items ?? [];
        const fields =
          rule.field && !options.some((o) => o.key === rule.field)
            ? [...options, { key: rule.field, title: null }]
            : options;
        return {
          pointer,
          label,
          control: (a11y) => (
            <div className="tnt-inline">
              <select
                {...a11y}
                className="tnt-input tnt-select"
                value={rule.field !== undefined ? `f:${rule.field}` : "value" in rule ? "=" : ""}
                onChange={(ev) => {
                  const v = ev.target.value;
                  set(v === "" ? {} : v === "=" ? { value: "" } : { field: v.slice(2) });
                }}
              >
                <option value="">{t("mapping.notMapped")}</option>
                {fields.map((o) => (
                  <option key={o.key} value={`f:${o.key}`}>
                    {o.title ? `${o.title} (${o.key})` : o.key}
                  </option>
                ))}
                <option value="=">{t("mapping.constant")}</option>
              </select>
              {"value" in rule && (
                <input
                  className="tnt-input"
                  aria-label={t("mapping.constantFor", { field: label })}
                  disabled={a11y.disabled}
                  value={String(rule.value ?? "")}
                  onChange={(ev) => set({ value: ev.target.value })}
                />
              )}
            </div>
          ),
        };
      }),
  );
  return (
    <ElementShell
      i18n={i18n}
      c={c}
      title={props.title ?? ""}
      className={`tnt-element tnt-mapping ${props.className ?? ""}`}
      rows={rows}
      dirty={dirty.length > 0}
      onDiscard={() => setEdits({})}
      onSave={async () => {
        const ok = await c.save(Object.fromEntries(dirty.map((p) => [p, edits[p]])) as JsonObject);
        if (ok) {
          setEdits({});
          props.onSaved?.();
        }
        return ok;
      }}
    />
  );
}
