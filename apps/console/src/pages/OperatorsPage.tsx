import { createColumnHelper } from "@tanstack/react-table";
import { TRPCClientError } from "@trpc/client";
import { useMemo, useState } from "react";
import { appCodeOf, type Outputs, trpc } from "../api";
import { DataTable, type features } from "../components/DataTable";
import {
  Badge,
  Banner,
  ConfirmDialog,
  ErrorState,
  formatDateTime,
  Loading,
  PageHeader,
  ShownOnce,
  WithCode,
} from "../components/ui";
import type { Translator } from "../i18n";
import { usePrefs } from "../prefs";
import { useSession } from "../session";

type Operator = Outputs["operators"]["list"]["items"][number];
type Action = "disable" | "enable" | "resetPassword" | "revokeSessions" | "remove";
const columns = createColumnHelper<typeof features, Operator>();

/**
 * Settings → Operators: who can sign in to this console, and ending that. Every action asks first.
 * Your own row offers only signing out your other sessions: disabling, removing or resetting
 * yourself here would lock you out of the page you are on.
 */
export function OperatorsPage() {
  const { t, language } = usePrefs();
  const session = useSession();
  const me = session.data?.session?.operator.id;
  const list = trpc.operators.list.useQuery();
  const utils = trpc.useUtils();
  const mutations = {
    disable: trpc.operators.disable.useMutation(),
    enable: trpc.operators.enable.useMutation(),
    resetPassword: trpc.operators.resetPassword.useMutation(),
    revokeSessions: trpc.operators.revokeSessions.useMutation(),
    remove: trpc.operators.remove.useMutation(),
  };
  const [pending, setPending] = useState<{ action: Action; operator: Operator } | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [temporary, setTemporary] = useState<{ name: string; password: string; expiresAt: string } | null>(
    null,
  );

  const tableColumns = useMemo(
    () =>
      columns.columns([
        columns.accessor("name", {
          header: () => t("operators.col.name"),
          cell: ({ row }) => (
            <span className="strong">
              {row.original.name} {row.original.id === me && <Badge>{t("operators.you")}</Badge>}
            </span>
          ),
        }),
        columns.accessor("email", { header: () => t("signIn.email") }),
        columns.accessor("status", {
          header: () => t("tenants.col.status"),
          cell: ({ row }) => <StatusBadges operator={row.original} t={t} />,
        }),
        columns.accessor("lastSignInAt", {
          header: () => t("operators.col.lastSignIn"),
          cell: ({ getValue }) =>
            getValue() ? (
              formatDateTime(getValue(), language)
            ) : (
              <span className="muted">{t("keys.never")}</span>
            ),
        }),
        columns.display({
          id: "actions",
          header: () => <span className="visually-hidden">{t("col.actions")}</span>,
          cell: ({ row }) => {
            const operator = row.original;
            const button = (action: Action, label: string, danger = false) => (
              <button
                type="button"
                className={danger ? "button button-small button-danger" : "button button-small"}
                onClick={() => {
                  setFailure(null);
                  setPending({ action, operator });
                }}
              >
                {label}
              </button>
            );
            if (operator.id === me) {
              return <div className="row">{button("revokeSessions", t("operators.signOutOthers"))}</div>;
            }
            const name = { name: operator.name };
            return (
              <div className="row">
                {operator.status === "active"
                  ? button("disable", t("operators.disableNamed", name), true)
                  : button("enable", t("operators.enableNamed", name))}
                {button("resetPassword", t("operators.resetNamed", name))}
                {operator.status === "active" && button("revokeSessions", t("operators.signOutNamed", name))}
                {button("remove", t("operators.removeNamed", name), true)}
              </div>
            );
          },
        }),
      ]),
    [t, language, me],
  );

  const confirm = () => run().catch((error: unknown) => setFailure(error));
  const run = async () => {
    if (!pending) return;
    const { action, operator } = pending;
    const input = { id: operator.id };
    const name = { name: operator.name };
    setDone(null);
    setTemporary(null);
    if (action === "resetPassword") {
      const reset = await mutations.resetPassword.mutateAsync(input);
      setTemporary({ name: operator.name, password: reset.temporaryPassword, expiresAt: reset.expiresAt });
    } else if (action === "revokeSessions") {
      const { sessionsEnded } = await mutations.revokeSessions.mutateAsync(input);
      setDone(t("operators.done.revokeSessions", { ...name, count: sessionsEnded }));
    } else {
      await mutations[action].mutateAsync(input);
      setDone(t(`operators.done.${action}`, name));
    }
    setPending(null);
    await utils.operators.list.invalidate();
  };

  const action = pending?.action;
  const self = pending?.operator.id === me;
  const mutation = action ? mutations[action] : null;
  const name = { name: pending?.operator.name ?? "" };

  return (
    <>
      <PageHeader title={t("nav.operators")} description={<WithCode text={t("operators.description")} />} />
      {done && <Banner tone="success">{done}</Banner>}
      {temporary && (
        <div className="stack">
          <ShownOnce
            label={t("operators.temporaryOf", { name: temporary.name })}
            value={temporary.password}
          />
          <p className="muted small">
            {t("operators.temporaryHint", {
              name: temporary.name,
              until: formatDateTime(temporary.expiresAt, language),
            })}
          </p>
        </div>
      )}
      {list.isPending && <Loading rows={3} />}
      {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
      {list.data && (
        <DataTable
          caption={t("nav.operators")}
          rows={list.data.items}
          columns={tableColumns}
          rowId={(operator) => operator.id}
        />
      )}
      <ConfirmDialog
        open={pending !== null}
        title={
          action === "revokeSessions" && self
            ? t("operators.confirm.signOutOthers.title")
            : t(`operators.confirm.${action ?? "disable"}.title`, name)
        }
        body={
          action === "revokeSessions" && self
            ? t("operators.confirm.signOutOthers.body")
            : t(`operators.confirm.${action ?? "disable"}.body`, name)
        }
        confirmLabel={t(`operators.confirm.${action ?? "disable"}.button`)}
        danger={action === "disable" || action === "remove" || action === "resetPassword"}
        busy={mutation?.isPending}
        error={readable(failure, t)}
        onConfirm={() => void confirm()}
        onClose={() => setPending(null)}
      />
    </>
  );
}

function StatusBadges(props: { operator: Operator; t: Translator }) {
  const { operator, t } = props;
  return (
    <span className="row">
      {operator.status === "active" ? (
        <Badge tone="success">{t("status.active")}</Badge>
      ) : (
        <Badge tone="danger">{t("operators.disabled")}</Badge>
      )}
      {operator.passwordChangeRequired && <Badge tone="warning">{t("operators.passwordReset")}</Badge>}
    </span>
  );
}

/** The server's refusal for the last active operator, in the console's language. */
function readable(error: unknown, t: Translator): unknown {
  if (!error) return null;
  const details = error instanceof TRPCClientError ? (error.data as { details?: { reason?: string } }) : null;
  if (appCodeOf(error) === "conflict" && details?.details?.reason === "last_active_operator") {
    return new Error(t("operators.lastActive"));
  }
  return error;
}
