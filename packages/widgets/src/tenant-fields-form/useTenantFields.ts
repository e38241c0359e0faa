import type { FieldDefinition } from "@tenantry/contracts/fields";
import type { JsonObject, JsonValue } from "@tenantry/contracts/json";
import { TRPCClientError } from "@trpc/client";
import { useCallback, useMemo, useState } from "react";
import { useMe } from "../provider/TenantryProvider.js";
import { trpc } from "../provider/trpc.js";
import {
  checkValue,
  type FieldKind,
  type FieldMessage,
  fromInput,
  type InputValue,
  kindOf,
  toInput,
} from "./field-model.js";
import { useValidatorReady } from "./useValidator.js";

/** A secret's edit: unchanged, a new value to seal, or removal. */
export type SecretEdit = { action: "replace"; value: string } | { action: "remove" };

export interface TenantFieldState {
  name: string;
  label: string;
  description: string | null;
  kind: FieldKind;
  definition: FieldDefinition;
  required: boolean;
  /** For selects: the allowed values. */
  options: readonly (string | number)[];
  /** What the input shows (never a secret: secrets are write-only). */
  input: InputValue;
  dirty: boolean;
  /** Only for secrets: whether a value is stored, and the pending edit. */
  secretIsSet: boolean;
  secretEdit: SecretEdit | null;
  /** The client's check after a change or a save attempt, else the server's answer to the last save. */
  error: FieldMessage | null;
  serverError: string | null;
  /** The stored value no longer fits the schema (the schema changed after it was written). */
  storedIssue: string | null;
  /** A required field the tenant has no value for, and none is typed in yet. */
  missing: boolean;
}

export type SaveOutcome = "saved" | "unchanged" | "invalid" | "failed";

export type SaveProblem = { kind: "conflict" } | { kind: "error"; message: string } | null;

interface ServerIssue {
  path: string;
  message: string;
}

function serverIssues(error: unknown): ServerIssue[] {
  if (!(error instanceof TRPCClientError)) return [];
  const issues = (error.data as { issues?: ServerIssue[] } | undefined)?.issues;
  return Array.isArray(issues) ? issues : [];
}

function appCodeOf(error: unknown): string | undefined {
  return error instanceof TRPCClientError
    ? (error.data as { appCode?: string } | undefined)?.appCode
    : undefined;
}

/**
 * The tenant fields form without its UI: the schema and values of the token's tenant, edits, dirty
 * state, client-side validation from the same JSON Schema, saving with the server's field errors,
 * and read-only when the token lacks `fields:write`.
 */
export function useTenantFields() {
  const me = useMe();
  const tenantId = me.data?.tenant.id;
  const utils = trpc.useUtils();
  const query = trpc.fields.getForTenant.useQuery(
    { tenantId: tenantId ?? "" },
    { enabled: Boolean(tenantId) },
  );
  const mutation = trpc.fields.patchForTenant.useMutation();

  const [edits, setEdits] = useState<Record<string, InputValue>>({});
  const [secretEdits, setSecretEdits] = useState<Record<string, SecretEdit>>({});
  /** Fields whose error is shown: changed since load, or all after a save attempt. */
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [saveProblem, setSaveProblem] = useState<SaveProblem>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);

  const data = query.data;
  const readOnly = me.data ? !me.data.permissions.includes("fields:write") : true;

  const validatorReady = useValidatorReady();
  // biome-ignore lint/correctness/useExhaustiveDependencies: validatorReady recomputes the errors once the full schema check has loaded
  const fields = useMemo<TenantFieldState[]>(() => {
    if (!data) return [];
    const required = new Set(data.schema.schema.required);
    const missing = new Set(data.fieldsStatus.missing);
    const storedIssues = new Map(
      data.issues.map((issue) => [issue.path.replace(/^fields\./, ""), issue.message]),
    );
    return data.schema.order.flatMap((name) => {
      const definition = data.schema.schema.properties[name];
      if (!definition) return [];
      const kind = kindOf(definition);
      const value = data.values[name];
      const isRequired = required.has(name);
      // An unset field shows the schema's default (a required checkbox: unchecked); like an edit,
      // it is stored only when saved, even where it looks the same as no value (false, "").
      const proposed =
        value === undefined && (definition.default !== undefined || (kind === "boolean" && isRequired));
      const input = edits[name] ?? toInput(kind, value ?? definition.default);
      const secretIsSet = data.secretFieldsSet.includes(name);
      const secretEdit = secretEdits[name] ?? null;
      const dirty = kind === "secret" ? secretEdit !== null : proposed || input !== toInput(kind, value);
      let error: FieldMessage | null = null;
      if (checked.has(name) && dirty) {
        error =
          kind === "secret"
            ? secretEdit?.action === "remove"
              ? isRequired
                ? { key: "validation.required" }
                : null
              : checkValue(definition, isRequired, fromInput(definition, kind, secretEdit?.value ?? ""))
            : checkValue(definition, isRequired, fromInput(definition, kind, input));
      }
      return [
        {
          name,
          label: definition.title ?? name,
          description: definition.description ?? null,
          kind,
          definition,
          required: isRequired,
          options: definition.type !== "boolean" && definition.enum ? definition.enum : [],
          input,
          dirty,
          secretIsSet,
          secretEdit,
          error,
          serverError: serverErrors[name] ?? null,
          storedIssue: dirty ? null : (storedIssues.get(name) ?? null),
          missing: !dirty && missing.has(name),
        },
      ];
    });
  }, [data, edits, secretEdits, checked, serverErrors, validatorReady]);

  const dirty = fields.some((field) => field.dirty);

  const touch = useCallback((name: string) => {
    setChecked((current) => (current.has(name) ? current : new Set(current).add(name)));
    setServerErrors(({ [name]: _, ...rest }) => rest);
    setSavedAt(null);
  }, []);

  const setValue = useCallback(
    (name: string, input: InputValue) => {
      setEdits((current) => ({ ...current, [name]: input }));
      touch(name);
    },
    [touch],
  );

  const setSecret = useCallback(
    (name: string, edit: SecretEdit | null) => {
      setSecretEdits(({ [name]: _, ...rest }) => (edit ? { ...rest, [name]: edit } : rest));
      touch(name);
    },
    [touch],
  );

  const reset = useCallback(() => {
    setEdits({});
    setSecretEdits({});
    setChecked(new Set());
    setServerErrors({});
    setSaveProblem(null);
  }, []);

  const save = useCallback(async (): Promise<SaveOutcome> => {
    if (!data || !tenantId || readOnly) return "failed";
    const changed = fields.filter((field) => field.dirty);
    if (changed.length === 0) return "unchanged";
    setChecked(new Set(changed.map((field) => field.name)));
    setSaveProblem(null);
    const payload: JsonObject = {};
    let invalid = false;
    for (const field of changed) {
      const value =
        field.kind === "secret"
          ? field.secretEdit?.action === "replace"
            ? field.secretEdit.value
            : null
          : fromInput(field.definition, field.kind, field.input);
      if (field.kind === "secret" && field.secretEdit?.action === "remove") {
        if (field.required) invalid = true;
      } else if (checkValue(field.definition, field.required, value)) {
        invalid = true;
      }
      payload[field.name] = value as JsonValue;
    }
    if (invalid) return "invalid";
    try {
      const saved = await mutation.mutateAsync({
        tenantId,
        fields: payload,
        expectedVersion: data.tenantVersion,
      });
      utils.fields.getForTenant.setData({ tenantId }, saved);
      setEdits({});
      setSecretEdits({});
      setChecked(new Set());
      setServerErrors({});
      setSavedAt(Date.now());
      return "saved";
    } catch (error) {
      const issues = serverIssues(error);
      const code = appCodeOf(error);
      if (code === "version_conflict") {
        setSaveProblem({ kind: "conflict" });
      } else if (issues.length > 0) {
        const byField: Record<string, string> = {};
        for (const issue of issues) byField[issue.path.replace(/^fields\./, "")] ??= issue.message;
        setServerErrors(byField);
        const unplaced = issues.filter((issue) => !fields.some((f) => `fields.${f.name}` === issue.path));
        if (unplaced.length > 0) setSaveProblem({ kind: "error", message: unplaced[0]!.message });
      } else {
        setSaveProblem({ kind: "error", message: error instanceof Error ? error.message : String(error) });
      }
      return "failed";
    }
  }, [data, tenantId, readOnly, fields, mutation, utils]);

  /** After a conflict: drop the edits and load the latest values. */
  const reload = useCallback(async () => {
    reset();
    await query.refetch();
  }, [reset, query]);

  const loadError = me.error ?? query.error;
  const status: "loading" | "error" | "ready" = loadError ? "error" : data ? "ready" : "loading";

  return {
    status,
    loadError: loadError ? loadError.message : null,
    retry: () => (me.error ? me.refetch() : query.refetch()),
    fields,
    readOnly,
    dirty,
    /** Whether the user changed anything (defaults shown for unset fields are no edit to discard). */
    edited: Object.keys(edits).length + Object.keys(secretEdits).length > 0,
    saving: mutation.isPending,
    saveProblem,
    savedAt,
    setValue,
    setSecret,
    reset,
    save,
    reload,
  };
}

export type TenantFieldsController = ReturnType<typeof useTenantFields>;
