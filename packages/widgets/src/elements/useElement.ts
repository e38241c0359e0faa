import type { ElementType, ResolvedElement } from "@tenantry/contracts/elements";
import type { JsonObject } from "@tenantry/contracts/json";
import { useEffect, useState } from "react";
import { useMe } from "../provider/TenantryProvider.js";
import { trpc } from "../provider/trpc.js";
import { may } from "../shared/access.js";

/** Which element: an instance id, or a template's instance (by id or type and key), created by its first change. */
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
 *
 * Reading never creates the tenant's instance: until it exists, `element.id` is null and the first
 * save creates it (the change names the template's instance, in the same transaction). A field
 * mapping's editor reads its external fields per instance, so a field mapping is created as soon
 * as it is shown to a member who may change it.
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
  const [changed, setChanged] = useState<ResolvedElement | null>(null);
  const [problem, setProblem] = useState<{
    conflict: boolean;
    message: string;
    /** Server issues by JSON Pointer. */
    issues: Record<string, string>;
  } | null>(null);
  // Creating a field mapping on first sight failed: shown as a load error, with retry.
  const [createError, setCreateError] = useState<{ message: string; attempt: number } | null>(null);
  const [createAttempt, setCreateAttempt] = useState(0);
  const canWrite = may(me.data?.permissions ?? [], "elements.change");
  const resolved = changed ?? query.data ?? null;
  // Shown only once it exists, so nothing asks for its external fields by a missing id.
  const creating = resolved?.id === null && resolved.type === "field_mapping" && resolved.active && canWrite;
  const element = creating ? null : resolved;

  /** The instance a change applies to: its id, or the template's instance (created by the change). */
  const target = (e: ResolvedElement) =>
    e.id !== null
      ? { tenantId, instanceId: e.id }
      : {
          tenantId,
          templateId: e.templateId ?? undefined,
          connectionId: e.connectionId ?? undefined,
          instanceKey: e.instanceKey,
        };

  const createFailed = creating && createError?.attempt === createAttempt ? createError : null;
  const createFrom = creating && !createFailed ? resolved : null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per element not created yet, and per retry
  useEffect(() => {
    if (!createFrom) return;
    // Resetting no path changes nothing but creates the instance (a concurrent call finds it).
    reset
      .mutateAsync({ ...target(createFrom), paths: [] })
      .then(setChanged, (error: Error) => setCreateError({ message: error.message, attempt: createAttempt }));
  }, [createFrom, createAttempt]);

  async function run(change: (e: ResolvedElement) => Promise<ResolvedElement>): Promise<boolean> {
    setProblem(null);
    try {
      setChanged(await change(resolved!));
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

  const loadError = me.error ?? query.error ?? (createFailed ? new Error(createFailed.message) : null);
  return {
    loadError,
    retry: () => {
      if (me.error) return me.refetch();
      if (query.error) return query.refetch();
      setCreateAttempt((attempt) => attempt + 1);
    },
    element,
    readOnly: !canWrite || !element?.active,
    saving: patch.isPending || reset.isPending,
    problem,
    save: (overrides: JsonObject) =>
      run((e) => patch.mutateAsync({ ...target(e), revision: e.revision, overrides })),
    resetPaths: (paths: string[]) =>
      run((e) => reset.mutateAsync({ ...target(e), revision: e.revision, paths })),
    /** After a conflict: the latest from the server. */
    reload: () => {
      setChanged(null);
      setProblem(null);
      return query.refetch();
    },
  };
}

export type ElementController = ReturnType<typeof useElement>;
