import { useEffect, useId, useState } from "react";
import { useForm } from "react-hook-form";
import { issuesOf, trpc } from "../api";
import { SchemaPreview } from "../components/SchemaPreview";
import { Badge, Banner, Dialog, EmptyState, ErrorState, Loading, PageHeader } from "../components/ui";
import type { MessageKey } from "../i18n";
import { usePrefs } from "../prefs";
import {
  EMPTY_DRAFT,
  FIELD_TYPES,
  type FieldDraft,
  fromDocument,
  type SchemaDocument,
  toDocument,
} from "../schema-draft";

/** Settings → Tenant field schema: the field list, a live preview through the real form, and the JSON. */
export function SchemaPage() {
  const { t } = usePrefs();
  const schema = trpc.fields.getSchema.useQuery();
  const save = trpc.fields.putSchema.useMutation();
  const utils = trpc.useUtils();
  const [drafts, setDrafts] = useState<FieldDraft[] | null>(null);
  const [editing, setEditing] = useState<{ index: number | null; draft: FieldDraft } | null>(null);
  const [jsonText, setJsonText] = useState("");
  const [jsonProblem, setJsonProblem] = useState<string | null>(null);
  const [result, setResult] = useState<{ tenantsNotFitting: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const jsonId = useId();

  useEffect(() => {
    if (schema.data && drafts === null) setDrafts(fromDocument(schema.data.schema as SchemaDocument));
  }, [schema.data, drafts]);

  const document = toDocument(drafts ?? []);
  const documentText = JSON.stringify(document, null, 2);
  // The JSON view follows the list unless the operator is mid-edit with JSON that does not parse.
  useEffect(() => {
    if (!jsonProblem) setJsonText(documentText);
  }, [documentText, jsonProblem]);

  if (!schema.data || drafts === null) {
    return (
      <>
        <PageHeader title={t("nav.schema")} />
        {schema.isError ? (
          <ErrorState error={schema.error} onRetry={() => schema.refetch()} />
        ) : (
          <Loading rows={6} />
        )}
      </>
    );
  }

  const saved = JSON.stringify(schema.data.schema);
  const dirty =
    JSON.stringify(toDocument(fromDocument(schema.data.schema as SchemaDocument))) !==
    JSON.stringify(document);
  const change = (next: FieldDraft[]) => {
    setDrafts(next);
    setResult(null);
  };
  const move = (index: number, by: number) => {
    const next = [...drafts];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item!);
    change(next);
  };

  const submit = async () => {
    setProblem(null);
    setResult(null);
    try {
      const answer = await save.mutateAsync({ schema: document });
      setResult({ tenantsNotFitting: answer.tenantsNotFitting });
      await utils.fields.invalidate();
      setDrafts(fromDocument(answer.schema as SchemaDocument));
    } catch (error) {
      const issues = issuesOf(error);
      setProblem(
        issues.length
          ? issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ")
          : (error as Error).message,
      );
    }
  };

  return (
    <>
      <PageHeader
        title={t("nav.schema")}
        description={t("schema.description")}
        actions={
          <>
            <button
              type="button"
              className="button"
              disabled={!dirty}
              onClick={() => change(fromDocument(JSON.parse(saved)))}
            >
              {t("action.discard")}
            </button>
            <button
              type="button"
              className="button button-primary"
              disabled={!dirty || save.isPending}
              onClick={() => void submit()}
            >
              {save.isPending ? t("action.saving") : t("schema.save")}
            </button>
          </>
        }
      />
      {result && (
        <Banner tone={result.tenantsNotFitting > 0 ? "warning" : "success"}>
          {result.tenantsNotFitting > 0
            ? t("schema.savedNotFitting", { count: result.tenantsNotFitting })
            : t("schema.saved")}
        </Banner>
      )}
      {problem && <Banner tone="error">{problem}</Banner>}
      <div className="editor">
        <div className="stack">
          <section className="card" aria-labelledby="schema-fields">
            <div className="section-head">
              <h2 id="schema-fields" className="card-title">
                {t("schema.fields")}
              </h2>
              <button
                type="button"
                className="button button-primary"
                onClick={() => setEditing({ index: null, draft: EMPTY_DRAFT })}
              >
                {t("schema.add")}
              </button>
            </div>
            {drafts.length === 0 ? (
              <EmptyState title={t("schema.empty")}>{t("schema.emptyHint")}</EmptyState>
            ) : (
              <ol className="field-list">
                {drafts.map((draft, index) => (
                  <li key={draft.name} className="field-item">
                    <div className="field-item-main">
                      <span className="strong">
                        {draft.title || draft.name}{" "}
                        {draft.required && <Badge tone="warning">{t("schema.required")}</Badge>}
                      </span>
                      <span className="muted small">
                        <code>{draft.name}</code> · {t(`type.${draft.type}` as MessageKey)}
                      </span>
                    </div>
                    <div className="field-item-actions">
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={t("action.moveUp", { name: draft.name })}
                        disabled={index === 0}
                        onClick={() => move(index, -1)}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={t("action.moveDown", { name: draft.name })}
                        disabled={index === drafts.length - 1}
                        onClick={() => move(index, 1)}
                      >
                        ↓
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        aria-label={`${t("action.edit")} ${draft.name}`}
                        onClick={() => setEditing({ index, draft })}
                      >
                        {t("action.edit")}
                      </button>
                      <button
                        type="button"
                        className="button button-small button-danger"
                        aria-label={`${t("action.remove")} ${draft.name}`}
                        onClick={() => change(drafts.filter((_, i) => i !== index))}
                      >
                        {t("action.remove")}
                      </button>
                    </div>
                  </li>
                ))}
              </ol>
            )}
          </section>
          <section className="card" aria-labelledby={`${jsonId}-title`}>
            <h2 id={`${jsonId}-title`} className="card-title">
              {t("schema.json")}
            </h2>
            <label htmlFor={jsonId} className="visually-hidden">
              {t("schema.json")}
            </label>
            <textarea
              id={jsonId}
              className="mono json-view"
              spellCheck={false}
              value={jsonText}
              aria-invalid={Boolean(jsonProblem)}
              aria-describedby={jsonProblem ? `${jsonId}-error` : undefined}
              onChange={(event) => {
                setJsonText(event.target.value);
                try {
                  const parsed = JSON.parse(event.target.value) as SchemaDocument;
                  if (parsed?.type !== "object" || typeof parsed.properties !== "object")
                    throw new Error("shape");
                  setJsonProblem(null);
                  change(fromDocument(parsed));
                } catch {
                  setJsonProblem(t("schema.jsonInvalid"));
                }
              }}
            />
            {jsonProblem && (
              <p id={`${jsonId}-error`} className="field-error">
                {jsonProblem}
              </p>
            )}
          </section>
        </div>
        <section className="preview" aria-label={t("schema.preview")}>
          <p className="muted small">{t("schema.previewHint")}</p>
          <SchemaPreview document={document} />
        </section>
      </div>
      {editing && (
        <FieldDialog
          initial={editing.draft}
          taken={drafts.filter((_, i) => i !== editing.index).map((draft) => draft.name)}
          onClose={() => setEditing(null)}
          onSave={(draft) => {
            const next = [...drafts];
            if (editing.index === null) next.push(draft);
            else next[editing.index] = draft;
            change(next);
            setEditing(null);
          }}
        />
      )}
    </>
  );
}

function FieldDialog(props: {
  initial: FieldDraft;
  taken: string[];
  onClose: () => void;
  onSave: (draft: FieldDraft) => void;
}) {
  const { t } = usePrefs();
  const form = useForm<FieldDraft>({ defaultValues: props.initial });
  const { errors } = form.formState;
  const type = form.watch("type");
  const numeric = type === "number" || type === "integer";
  const error = (name: keyof FieldDraft) =>
    errors[name] && (
      <p id={`field-${name}-error`} className="field-error">
        {String(errors[name]?.message)}
      </p>
    );
  const aria = (name: keyof FieldDraft) => ({
    id: `field-${name}`,
    "aria-invalid": Boolean(errors[name]),
    "aria-describedby": errors[name] ? `field-${name}-error` : undefined,
  });
  return (
    <Dialog
      open
      wide
      title={props.initial.name ? t("schema.editField", { name: props.initial.name }) : t("schema.add")}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" className="button" onClick={props.onClose}>
            {t("action.cancel")}
          </button>
          <button type="submit" form="field-form" className="button button-primary">
            {t("schema.apply")}
          </button>
        </>
      }
    >
      <form id="field-form" noValidate onSubmit={form.handleSubmit(props.onSave)}>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="field-name">{t("schema.name")}</label>
            <input
              {...aria("name")}
              {...form.register("name", {
                required: t("form.required"),
                pattern: { value: /^[A-Za-z][A-Za-z0-9_]{0,63}$/, message: t("schema.nameRule") },
                validate: (name) => !props.taken.includes(name) || t("schema.nameTaken"),
              })}
            />
            {error("name")}
          </div>
          <div className="field">
            <label htmlFor="field-type">{t("schema.type")}</label>
            <select {...aria("type")} {...form.register("type")}>
              {FIELD_TYPES.map((option) => (
                <option key={option} value={option}>
                  {t(`type.${option}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="field-title">{t("schema.fieldTitle")}</label>
            <input {...aria("title")} {...form.register("title")} />
          </div>
          <div className="field">
            <label htmlFor="field-defaultValue">{t("schema.default")}</label>
            <input
              {...aria("defaultValue")}
              disabled={type === "secret"}
              {...form.register("defaultValue")}
            />
          </div>
          <div className="field field-wide">
            <label htmlFor="field-description">{t("schema.fieldDescription")}</label>
            <input {...aria("description")} {...form.register("description")} />
          </div>
          {type === "select" && (
            <div className="field field-wide">
              <label htmlFor="field-options">{t("schema.options")}</label>
              <textarea
                rows={4}
                {...aria("options")}
                {...form.register("options", {
                  validate: (options) => options.trim() !== "" || t("schema.optionsRequired"),
                })}
              />
              {error("options")}
            </div>
          )}
          {(numeric || type === "text") && (
            <>
              <div className="field">
                <label htmlFor="field-min">{numeric ? t("schema.minimum") : t("schema.minLength")}</label>
                <input inputMode="decimal" {...aria("min")} {...form.register("min")} />
              </div>
              <div className="field">
                <label htmlFor="field-max">{numeric ? t("schema.maximum") : t("schema.maxLength")}</label>
                <input inputMode="decimal" {...aria("max")} {...form.register("max")} />
              </div>
            </>
          )}
          <div className="field field-check">
            <input type="checkbox" id="field-required" {...form.register("required")} />
            <label htmlFor="field-required">{t("schema.requiredLabel")}</label>
          </div>
        </div>
        {type === "secret" && <p className="muted small">{t("schema.secretHint")}</p>}
      </form>
    </Dialog>
  );
}
