import { useEffect, useState } from "react";
import { issuesOf, trpc } from "../api";
import { Banner, ErrorState, Loading, PageHeader } from "../components/ui";
import { usePrefs } from "../prefs";

/** Settings → Allowed origins: the browser origins the widgets may call Tenantry from. */
export function OriginsPage() {
  const { t } = usePrefs();
  const origins = trpc.workspaces.getAllowedOrigins.useQuery();
  const save = trpc.workspaces.putAllowedOrigins.useMutation();
  const utils = trpc.useUtils();
  const [text, setText] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (origins.data) setText(origins.data.origins.join("\n"));
  }, [origins.data]);

  return (
    <>
      <PageHeader title={t("nav.origins")} description={t("origins.description")} />
      {origins.isPending && <Loading rows={2} />}
      {origins.isError && <ErrorState error={origins.error} onRetry={() => origins.refetch()} />}
      {origins.data && (
        <form
          className="card"
          noValidate
          onSubmit={async (event) => {
            event.preventDefault();
            setProblem(null);
            setSaved(false);
            try {
              const list = text
                .split("\n")
                .map((line) => line.trim())
                .filter(Boolean);
              const answer = await save.mutateAsync({ origins: list });
              utils.workspaces.getAllowedOrigins.setData(undefined, answer);
              setSaved(true);
            } catch (error) {
              setProblem(
                issuesOf(error)
                  .map((issue) => issue.message)
                  .join("; ") || (error as Error).message,
              );
            }
          }}
        >
          {saved && <Banner tone="success">{t("origins.saved")}</Banner>}
          {problem && <Banner tone="error">{problem}</Banner>}
          <div className="field">
            <label htmlFor="origins">{t("origins.label")}</label>
            <textarea
              id="origins"
              rows={6}
              className="mono"
              value={text}
              aria-describedby="origins-hint"
              onChange={(event) => setText(event.target.value)}
            />
            <p id="origins-hint" className="field-hint">
              {t("origins.hint")}
            </p>
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={save.isPending}>
              {t("action.save")}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
