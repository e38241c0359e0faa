import type { Element, ElementType } from "@tenantry/contracts/elements";
import type { JsonObject } from "@tenantry/contracts/json";
import { useState } from "react";
import { useMe } from "../provider/TenantryProvider.js";
import { trpc } from "../provider/trpc.js";

/** Which element: an instance id, or a template's instance (by id or type and key), created on first access. */
export interface ElementSelector {
  instanceId?: string;
  templateId?: string;
  type?: ElementType;
  /** The template's key (`key` is React's own prop). */
  elementKey?: string;
  connectionId?: string;
  instanceKey?: string;
}

/** The value at a JSON Pointer (RFC 6901), or undefined. */
export function valueAt(document: unknown, pointer: string): unknown {
  let current = document;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!current || typeof current !== "object" || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

export const pointerOf = (parent: string, name: string) =>
  `${parent}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;

/**
 * One element instance without its UI: the effective configuration, the tenant's overrides and
 * which of them the template moved under, saving overrides with the instance's revision (a change
 * made elsewhere answers a conflict instead of being overwritten) and resetting paths. Read-only
 * without `elements:write` or once the element is inactive.
 */
export function useElement({ elementKey, instanceKey, ...selector }: ElementSelector) {
  const me = useMe();
  const tenantId = me.data?.tenant.id ?? "";
  const query = trpc.elements.resolve.useQuery(
    { ...selector, tenantId, key: elementKey, instanceKey: instanceKey ?? "" },
    { enabled: Boolean(tenantId) },
  );
  const patch = trpc.elements.patch.useMutation();
  const reset = trpc.elements.reset.useMutation();
  // The answer to the last change: newer than the query's until the next load.
  const [changed, setChanged] = useState<Element | null>(null);
  const [problem, setProblem] = useState<{
    conflict: boolean;
    message: string;
    /** Server issues by JSON Pointer. */
    issues: Record<string, string>;
  } | null>(null);
  const element = changed ?? query.data ?? null;

  async function run(change: (e: Element) => Promise<Element>): Promise<boolean> {
    setProblem(null);
    try {
      setChanged(await change(element!));
      return true;
    } catch (error) {
      // A TRPCClientError's data carries the stable code and the issues per path.
      const data = (error as { data?: { appCode?: string; issues?: { path: string; message: string }[] } })
        .data;
      setProblem({
        conflict: data?.appCode === "version_conflict",
        message: (error as Error).message,
        issues: Object.fromEntries((data?.issues ?? []).map((issue) => [issue.path, issue.message])),
      });
      return false;
    }
  }

  const loadError = me.error ?? query.error;
  return {
    loadError: loadError?.message ?? null,
    retry: () => (me.error ? me.refetch() : query.refetch()),
    element,
    readOnly: !me.data?.permissions.includes("elements:write") || !element?.active,
    saving: patch.isPending || reset.isPending,
    problem,
    save: (overrides: JsonObject) =>
      run((e) => patch.mutateAsync({ tenantId, instanceId: e.id, revision: e.revision, overrides })),
    resetPaths: (paths: string[]) =>
      run((e) => reset.mutateAsync({ tenantId, instanceId: e.id, revision: e.revision, paths })),
    /** After a conflict: the latest from the server. */
    reload: () => {
      setChanged(null);
      setProblem(null);
      return query.refetch();
    },
  };
}

export type ElementController = ReturnType<typeof useElement>;
