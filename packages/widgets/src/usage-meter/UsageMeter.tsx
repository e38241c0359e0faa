import { useId } from "react";
import { useI18n } from "../provider/TenantryProvider.js";
import { WidgetRoot } from "../provider/WidgetRoot.js";
import { loadFailedText } from "../shared/problem.js";
import { type UsageItem, useUsage } from "./useUsage.js";

export interface UsageMeterProps {
  /** Only these metrics (default: every metric the tenant has, AI credits first). */
  metrics?: readonly string[];
  title?: string;
  className?: string;
}

/** Used / limit per metric over the rolling 30-day window, with a bar that warns from 80 %. */
export function UsageMeter(props: UsageMeterProps) {
  const i18n = useI18n();
  const usage = useUsage(props.metrics ? { metrics: props.metrics } : {});
  const titleId = useId();
  return (
    <WidgetRoot i18n={i18n} className={props.className ? `tnt-usage ${props.className}` : "tnt-usage"}>
      <section className="tnt-card" aria-labelledby={titleId} aria-busy={usage.status === "loading"}>
        <h2 id={titleId} className="tnt-title">
          {props.title ?? i18n.t("usage.title")}
        </h2>
        {usage.status === "loading" && (
          <div className="tnt-skeleton" role="status">
            <span className="tnt-visually-hidden">{i18n.t("common.loading")}</span>
            <div className="tnt-skeleton-row" aria-hidden="true">
              <span className="tnt-skeleton-label" />
              <span className="tnt-skeleton-input" />
            </div>
          </div>
        )}
        {usage.status === "error" && (
          <div className="tnt-banner tnt-banner-error" role="alert">
            <p>{loadFailedText(i18n, usage.error)}</p>
            <button type="button" className="tnt-button" onClick={() => usage.retry()}>
              {i18n.t("common.retry")}
            </button>
          </div>
        )}
        {usage.status === "ready" && usage.items.length === 0 && (
          <p className="tnt-empty">{i18n.t("usage.empty")}</p>
        )}
        {usage.status === "ready" && usage.items.length > 0 && (
          <ul className="tnt-usage-list">
            {usage.items.map((item) => (
              <Meter key={item.metric} item={item} />
            ))}
          </ul>
        )}
      </section>
    </WidgetRoot>
  );
}

function Meter({ item }: { item: UsageItem }) {
  const i18n = useI18n();
  const labelId = useId();
  const name = item.metric === "ai_credits" ? i18n.t("usage.aiCredits") : item.metric.replace(/_/g, " ");
  const used = i18n.formatNumber(item.used);
  const window = i18n.t("usage.window", {
    start: i18n.formatDate(item.windowStart, { month: "short", day: "numeric" }),
    end: i18n.formatDate(item.windowEnd, { month: "short", day: "numeric" }),
  });
  const state = item.atLimit ? "at-limit" : item.nearLimit ? "near-limit" : "ok";
  return (
    <li className="tnt-usage-item" data-state={state}>
      <div className="tnt-usage-head">
        <span id={labelId} className="tnt-usage-name">
          {name}
        </span>
        <span className="tnt-usage-figures">
          {item.limit === null
            ? i18n.t("usage.usedUnlimited", { used, unit: item.unit })
            : i18n.t("usage.usedOfLimit", { used, limit: i18n.formatNumber(item.limit), unit: item.unit })}
        </span>
      </div>
      {item.fraction !== null && (
        <div
          className="tnt-usage-bar"
          role="progressbar"
          aria-labelledby={labelId}
          aria-valuemin={0}
          aria-valuemax={item.limit ?? 0}
          aria-valuenow={Math.min(item.used, item.limit ?? item.used)}
          aria-valuetext={i18n.t("usage.percent", { percent: i18n.formatPercent(item.fraction) })}
        >
          <span className="tnt-usage-fill" style={{ width: `${Math.round(item.fraction * 1000) / 10}%` }} />
        </div>
      )}
      <p className="tnt-usage-note">
        {item.atLimit ? (
          <strong className="tnt-usage-warning">{i18n.t("usage.atLimit")}</strong>
        ) : item.nearLimit ? (
          <strong className="tnt-usage-warning">
            {i18n.t("usage.nearLimit", { percent: i18n.formatPercent(item.fraction ?? 0) })}
          </strong>
        ) : null}{" "}
        {window}
      </p>
    </li>
  );
}
