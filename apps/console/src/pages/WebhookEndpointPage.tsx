import { Link, useParams } from "@tanstack/react-router";
import { createColumnHelper } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { httpStatusOf, type Outputs, trpc } from "../api";
import { DataTable, type features } from "../components/DataTable";
import { Badge, Banner, EmptyState, ErrorState, formatDateTime, Loading, PageHeader } from "../components/ui";
import type { Translator } from "../i18n";
import { usePrefs } from "../prefs";
import { EndpointDialog, EndpointStatus, TypesList, webhookProblem } from "./WebhooksPage";

type Attempt = Outputs["webhookEndpoints"]["attempts"]["items"][number];
type TestResult = Outputs["webhookEndpoints"]["test"];
const columns = createColumnHelper<typeof features, Attempt>();
const PAGE_SIZE = 20;

/**
 * One endpoint: what it takes, a test send, and its delivery attempts (newest first) with a retry of
 * any attempt's message. Attempts appear as the server's worker makes them; "Refresh" reads them again.
 */
export function WebhookEndpointPage() {
  const { endpointId } = useParams({ from: "/app/webhooks/$endpointId" });
  const { t, language } = usePrefs();
  const endpoint = trpc.webhookEndpoints.get.useQuery({ id: endpointId });
  // The first page is a query (Refresh reads it again); older pages are appended by "Load more".
  const attempts = trpc.webhookEndpoints.attempts.useQuery(
    { id: endpointId, limit: PAGE_SIZE },
    { enabled: endpoint.isSuccess },
  );
  const utils = trpc.useUtils();
  const [older, setOlder] = useState<{ items: Attempt[]; nextCursor: string | null } | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const nextCursor = older ? older.nextCursor : (attempts.data?.nextCursor ?? null);
  const loadOlder = async () => {
    if (!nextCursor) return;
    setLoadingOlder(true);
    try {
      const page = await utils.webhookEndpoints.attempts.fetch({
        id: endpointId,
        limit: PAGE_SIZE,
        cursor: nextCursor,
      });
      setOlder((previous) => ({
        items: [...(previous?.items ?? []), ...page.items],
        nextCursor: page.nextCursor,
      }));
    } catch (error) {
      setProblem(webhookProblem(error, t));
    } finally {
      setLoadingOlder(false);
    }
  };
  const test = trpc.webhookEndpoints.test.useMutation();
  const retry = trpc.webhookEndpoints.retryMessage.useMutation();
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const [retried, setRetried] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);

  const tableColumns = useMemo(
    () =>
      columns.columns([
        columns.accessor("attemptedAt", {
          header: () => t("activity.col.when"),
          cell: ({ getValue }) => <span className="nowrap">{formatDateTime(getValue(), language)}</span>,
        }),
        columns.accessor("eventId", {
          header: () => t("webhooks.col.event"),
          cell: ({ getValue }) => <code className="small break-anywhere">{getValue()}</code>,
        }),
        columns.accessor("status", {
          header: () => t("tenants.col.status"),
          cell: ({ row }) => <Outcome status={row.original.status} error={row.original.error} t={t} />,
        }),
        columns.accessor("latencyMs", {
          header: () => t("webhooks.col.latency"),
          cell: ({ getValue }) => <span className="nowrap">{t("webhooks.ms", { ms: getValue() })}</span>,
        }),
        columns.accessor("responseExcerpt", {
          header: () => t("webhooks.col.response"),
          cell: ({ getValue }) =>
            getValue() ? (
              <code className="small break-anywhere">{getValue()}</code>
            ) : (
              <span className="muted">—</span>
            ),
        }),
        columns.display({
          id: "actions",
          header: () => <span className="visually-hidden">{t("col.actions")}</span>,
          cell: ({ row }) => (
            <button
              type="button"
              className="button button-small"
              aria-label={t("webhooks.retryNamed", { event: row.original.eventId })}
              disabled={retry.isPending}
              onClick={async () => {
                setProblem(null);
                setRetried(null);
                try {
                  await retry.mutateAsync({ id: endpointId, eventId: row.original.eventId });
                  setRetried(row.original.eventId);
                } catch (error) {
                  setProblem(webhookProblem(error, t));
                }
              }}
            >
              {t("webhooks.retry")}
            </button>
          ),
        }),
      ]),
    [t, language, endpointId, retry],
  );

  if (endpoint.isPending) return <Loading rows={4} />;
  if (endpoint.isError) {
    if (httpStatusOf(endpoint.error) === 404) {
      return (
        <EmptyState
          title={t("webhooks.notFound")}
          action={
            <Link to="/webhooks" className="button">
              {t("webhooks.backToList")}
            </Link>
          }
        />
      );
    }
    return <ErrorState error={endpoint.error} onRetry={() => endpoint.refetch()} />;
  }
  const data = endpoint.data;
  const rows = [...(attempts.data?.items ?? []), ...(older?.items ?? [])];

  return (
    <>
      <nav aria-label={t("breadcrumb")} className="breadcrumb">
        <Link to="/webhooks">{t("nav.webhooks")}</Link>
      </nav>
      <PageHeader
        title={data.description || t("webhooks.endpoint")}
        description={<code className="break-anywhere">{data.url}</code>}
        actions={
          <>
            <button type="button" className="button" onClick={() => setEditing(true)}>
              {t("webhooks.edit")}
            </button>
            <button
              type="button"
              className="button button-primary"
              disabled={test.isPending}
              onClick={async () => {
                setProblem(null);
                setTestResult(null);
                try {
                  setTestResult(await test.mutateAsync({ id: endpointId }));
                } catch (error) {
                  setProblem(webhookProblem(error, t));
                }
              }}
            >
              {test.isPending ? t("webhooks.testing") : t("webhooks.test")}
            </button>
          </>
        }
      />
      {editing && <EndpointDialog endpoint={data} onClose={() => setEditing(false)} />}
      {problem && <Banner tone="error">{problem}</Banner>}
      {testResult && (
        <Banner tone={testResult.ok ? "success" : "error"}>
          <p>
            {testResult.ok
              ? t("webhooks.testOk", { status: testResult.status ?? "", ms: testResult.latencyMs })
              : t("webhooks.testFailed", {
                  reason: testResult.error ?? `HTTP ${testResult.status}`,
                  ms: testResult.latencyMs,
                })}
          </p>
          {testResult.responseExcerpt && (
            <code className="small break-anywhere">{testResult.responseExcerpt}</code>
          )}
        </Banner>
      )}
      {retried && <Banner tone="success">{t("webhooks.retried", { event: retried })}</Banner>}
      <section className="card">
        <dl className="facts">
          <dt>{t("tenants.col.status")}</dt>
          <dd>
            <EndpointStatus endpoint={data} t={t} language={language} />
          </dd>
          <dt>{t("webhooks.col.types")}</dt>
          <dd>
            <TypesList types={data.types} t={t} />
          </dd>
          <dt>{t("tenant.id")}</dt>
          <dd>
            <code>{data.id}</code>
          </dd>
          <dt>{t("tenants.col.created")}</dt>
          <dd>{formatDateTime(data.createdAt, language)}</dd>
        </dl>
      </section>
      <div className="section-head">
        <h2 className="section-title">{t("webhooks.attempts")}</h2>
        <button
          type="button"
          className="button button-small"
          onClick={() => {
            // Newer attempts come first: reading the first page again restarts the list there.
            setOlder(null);
            void attempts.refetch();
          }}
        >
          {t("webhooks.refresh")}
        </button>
      </div>
      <p className="muted small">{t("webhooks.attemptsHint")}</p>
      {attempts.isPending && <Loading rows={3} />}
      {attempts.isError && <ErrorState error={attempts.error} onRetry={() => attempts.refetch()} />}
      {attempts.isSuccess && rows.length === 0 && <EmptyState title={t("webhooks.noAttempts")} />}
      {rows.length > 0 && (
        <DataTable
          caption={t("webhooks.attempts")}
          rows={rows}
          columns={tableColumns}
          rowId={(attempt) => attempt.id}
          busy={attempts.isFetching || loadingOlder}
        />
      )}
      {nextCursor && (
        <div className="pager">
          <button type="button" className="button" disabled={loadingOlder} onClick={() => void loadOlder()}>
            {t("events.loadMore")}
          </button>
        </div>
      )}
    </>
  );
}

function Outcome(props: { status: number | null; error: string | null; t: Translator }) {
  const ok = props.status !== null && props.status >= 200 && props.status < 300;
  return (
    <span className="cell-main">
      <Badge tone={ok ? "success" : "danger"}>
        {props.status === null ? props.t("webhooks.noAnswer") : `HTTP ${props.status}`}
      </Badge>
      {props.error && <span className="small muted break-anywhere">{props.error}</span>}
    </span>
  );
}
