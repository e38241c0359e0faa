import { Link } from "@tanstack/react-router";
import { createColumnHelper } from "@tanstack/react-table";
import { EVENT_TYPES, type EventType } from "@tenantry/contracts/event-types";
import { useMemo, useState } from "react";
import { useForm } from "react-hook-form";
import { appCodeOf, issuesText, messageOf, type Outputs, trpc } from "../api";
import { DataTable, type features } from "../components/DataTable";
import {
  Badge,
  Banner,
  ConfirmDialog,
  Dialog,
  EmptyState,
  ErrorState,
  formatDateTime,
  Loading,
  PageHeader,
  ShownOnce,
} from "../components/ui";
import type { Translator } from "../i18n";
import { usePrefs } from "../prefs";

export type WebhookEndpoint = Outputs["webhookEndpoints"]["list"]["items"][number];
type Action = "disable" | "enable" | "delete" | "rotateSecret";
const columns = createColumnHelper<typeof features, WebhookEndpoint>();

/** The types an endpoint can subscribe to: the test event is only ever sent by "Send test". */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((type) => type !== "webhook_endpoint.test");

/** What a row's buttons call the endpoint: its description, else its URL. */
export const endpointName = (endpoint: WebhookEndpoint) => endpoint.description || endpoint.url;

/** A refusal in the console's words: a URL the server will not call says so and why. */
export function webhookProblem(error: unknown, t: Translator): string {
  if (appCodeOf(error) === "invalid_webhook_url")
    return t("webhooks.invalidUrl", { reason: messageOf(error) });
  return issuesText(error);
}

/**
 * Webhooks: the endpoints events are delivered to. A new endpoint's signing secret, and a rotated
 * one, is shown once; disabling, deleting and rotating ask first.
 */
export function WebhooksPage() {
  const { t, language } = usePrefs();
  const list = trpc.webhookEndpoints.list.useQuery();
  const utils = trpc.useUtils();
  const mutations = {
    disable: trpc.webhookEndpoints.disable.useMutation(),
    enable: trpc.webhookEndpoints.enable.useMutation(),
    delete: trpc.webhookEndpoints.delete.useMutation(),
    rotateSecret: trpc.webhookEndpoints.rotateSecret.useMutation(),
  };
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string; rotated: boolean } | null>(null);
  const [pending, setPending] = useState<{ action: Action; endpoint: WebhookEndpoint } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  const tableColumns = useMemo(
    () =>
      columns.columns([
        columns.accessor("url", {
          header: () => t("webhooks.col.endpoint"),
          cell: ({ row }) => (
            <div className="cell-main">
              <Link
                to="/webhooks/$endpointId"
                params={{ endpointId: row.original.id }}
                className="strong break-anywhere"
              >
                {row.original.url}
              </Link>
              {row.original.description && <span className="muted">{row.original.description}</span>}
            </div>
          ),
        }),
        columns.accessor("types", {
          header: () => t("webhooks.col.types"),
          cell: ({ getValue }) => <TypesList types={getValue()} t={t} />,
        }),
        columns.accessor("status", {
          header: () => t("tenants.col.status"),
          cell: ({ row }) => <EndpointStatus endpoint={row.original} t={t} language={language} />,
        }),
        columns.display({
          id: "actions",
          header: () => <span className="visually-hidden">{t("col.actions")}</span>,
          cell: ({ row }) => {
            const endpoint = row.original;
            const name = { name: endpointName(endpoint) };
            const button = (action: Action, label: string, ariaLabel: string, danger = false) => (
              <button
                type="button"
                aria-label={ariaLabel}
                className={danger ? "button button-small button-danger" : "button button-small"}
                onClick={() => {
                  setFailure(null);
                  setPending({ action, endpoint });
                }}
              >
                {label}
              </button>
            );
            return (
              <div className="row">
                {endpoint.status === "enabled"
                  ? button("disable", t("webhooks.disable"), t("webhooks.disableNamed", name))
                  : button("enable", t("webhooks.enable"), t("webhooks.enableNamed", name))}
                {button("rotateSecret", t("webhooks.rotate"), t("webhooks.rotateNamed", name))}
                {button("delete", t("action.delete"), t("webhooks.deleteNamed", name), true)}
              </div>
            );
          },
        }),
      ]),
    [t, language],
  );

  const run = async () => {
    if (!pending) return;
    const { action, endpoint } = pending;
    const input = { id: endpoint.id };
    const name = { name: endpointName(endpoint) };
    setDone(null);
    setSecret(null);
    if (action === "rotateSecret") {
      const answer = await mutations.rotateSecret.mutateAsync(input);
      setSecret({ name: name.name, secret: answer.secret, rotated: true });
    } else {
      await mutations[action].mutateAsync(input);
      setDone(t(`webhooks.done.${action}`, name));
    }
    setPending(null);
    await utils.webhookEndpoints.invalidate();
  };
  const action = pending?.action ?? "disable";
  const name = { name: pending ? endpointName(pending.endpoint) : "" };

  return (
    <>
      <PageHeader
        title={t("nav.webhooks")}
        description={t("webhooks.description")}
        actions={
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setDone(null);
              setCreating(true);
            }}
          >
            {t("webhooks.create")}
          </button>
        }
      />
      {done && <Banner tone="success">{done}</Banner>}
      {secret && (
        <div className="stack">
          <ShownOnce label={t("webhooks.secretOf", { name: secret.name })} value={secret.secret} />
          <p className="muted small">
            {secret.rotated ? t("webhooks.rotatedHint", { name: secret.name }) : t("webhooks.secretHint")}
          </p>
        </div>
      )}
      {list.isPending && <Loading rows={3} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
      {list.data && list.data.items.length === 0 && (
        <EmptyState title={t("webhooks.empty")}>{t("webhooks.emptyHint")}</EmptyState>
      )}
      {list.data && list.data.items.length > 0 && (
        <DataTable
          caption={t("nav.webhooks")}
          rows={list.data.items}
          columns={tableColumns}
          rowId={(endpoint) => endpoint.id}
        />
      )}
      {creating && (
        <EndpointDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setSecret({ name: endpointName(created.endpoint), secret: created.secret, rotated: false });
          }}
        />
      )}
      <ConfirmDialog
        open={pending !== null}
        title={t(`webhooks.confirm.${action}.title`, name)}
        body={t(`webhooks.confirm.${action}.body`, name)}
        confirmLabel={t(`webhooks.confirm.${action}.button`)}
        danger={action === "disable" || action === "delete"}
        busy={mutations[action].isPending}
        error={failure ? new Error(webhookProblem(failure, t)) : null}
        onConfirm={() => void run().catch((error: unknown) => setFailure(error))}
        onClose={() => setPending(null)}
      />
    </>
  );
}

export function TypesList(props: { types: readonly EventType[] | null; t: Translator }) {
  if (!props.types) return <span className="muted">{props.t("webhooks.allTypes")}</span>;
  return (
    <span className="small">
      {props.types.map((type, index) => (
        <span key={type}>
          {index > 0 && ", "}
          <code>{type}</code>
        </span>
      ))}
    </span>
  );
}

export function EndpointStatus(props: { endpoint: WebhookEndpoint; t: Translator; language: string }) {
  const { endpoint, t, language } = props;
  return (
    <span className="cell-main">
      {endpoint.status === "enabled" ? (
        <Badge tone="success">{t("webhooks.enabled")}</Badge>
      ) : endpoint.disabledReason === "failing" ? (
        <Badge tone="danger">{t("webhooks.disabledFailing")}</Badge>
      ) : (
        <Badge tone="warning">{t("webhooks.disabled")}</Badge>
      )}
      {endpoint.previousSecretExpiresAt && (
        <span className="muted small">
          {t("webhooks.previousSecretUntil", {
            until: formatDateTime(endpoint.previousSecretExpiresAt, language),
          })}
        </span>
      )}
    </span>
  );
}

interface EndpointValues {
  url: string;
  description: string;
  types: EventType[];
}

/** Adds an endpoint, or edits one when given: its URL, description and types. */
export function EndpointDialog(props: {
  onClose: () => void;
  onCreated?: (created: Outputs["webhookEndpoints"]["create"]) => void;
  endpoint?: WebhookEndpoint;
}) {
  const { t } = usePrefs();
  const utils = trpc.useUtils();
  const create = trpc.webhookEndpoints.create.useMutation();
  const update = trpc.webhookEndpoints.update.useMutation();
  const editing = props.endpoint;
  const [problem, setProblem] = useState<string | null>(null);
  const form = useForm<EndpointValues>({
    defaultValues: {
      url: editing?.url ?? "",
      description: editing?.description ?? "",
      types: editing?.types ? [...editing.types] : [],
    },
  });
  const submit = form.handleSubmit(async (values) => {
    setProblem(null);
    const description = values.description.trim();
    // In the contract's order, whatever order they were ticked in.
    const types = SUBSCRIBABLE_EVENT_TYPES.filter((type) => values.types.includes(type));
    try {
      if (editing) {
        // None ticked: every type, now and those added later.
        await update.mutateAsync({
          id: editing.id,
          url: values.url.trim(),
          description: description || null,
          types: types.length > 0 ? types : null,
        });
        await Promise.all([
          utils.webhookEndpoints.list.invalidate(),
          utils.webhookEndpoints.get.invalidate({ id: editing.id }),
        ]);
        props.onClose();
        return;
      }
      const created = await create.mutateAsync({
        url: values.url.trim(),
        ...(description ? { description } : {}),
        ...(types.length > 0 ? { types } : {}),
      });
      await utils.webhookEndpoints.list.invalidate();
      props.onCreated?.(created);
    } catch (error) {
      setProblem(webhookProblem(error, t));
    }
  });
  const title = editing ? t("webhooks.edit") : t("webhooks.create");
  return (
    <Dialog
      open
      wide
      title={title}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" className="button" onClick={props.onClose}>
            {t("action.cancel")}
          </button>
          <button
            type="submit"
            form="webhook-form"
            className="button button-primary"
            disabled={create.isPending || update.isPending}
          >
            {editing ? t("action.save") : t("webhooks.create")}
          </button>
        </>
      }
    >
      <form id="webhook-form" noValidate onSubmit={submit}>
        {problem && <Banner tone="error">{problem}</Banner>}
        <div className="field">
          <label htmlFor="webhook-url">{t("webhooks.url")}</label>
          <input
            id="webhook-url"
            type="url"
            autoComplete="off"
            placeholder="https://api.example.com/tenantry-webhooks"
            aria-describedby="webhook-url-hint"
            {...form.register("url", { required: true })}
          />
          <p id="webhook-url-hint" className="field-hint">
            {t("webhooks.urlHint")}
          </p>
        </div>
        <div className="field">
          <label htmlFor="webhook-description">{t("schema.fieldDescription")}</label>
          <input id="webhook-description" autoComplete="off" {...form.register("description")} />
        </div>
        <fieldset>
          <legend className="field-label">{t("webhooks.types")}</legend>
          <p className="field-hint">{t("webhooks.typesHint")}</p>
          <div className="grid-2">
            {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
              <div key={type} className="field field-check">
                <input type="checkbox" id={`type-${type}`} value={type} {...form.register("types")} />
                <label htmlFor={`type-${type}`}>
                  <code>{type}</code>
                </label>
              </div>
            ))}
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
}
