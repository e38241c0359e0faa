import "../../src/styles/styles.css";
import { type DehydratedState, QueryClient, useQueryClient } from "@tanstack/react-query";
import type { TenantryRouter } from "@tenantry/contracts/router";
import type { TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import { type ReactNode, useLayoutEffect } from "react";
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";
import { MemberTable } from "../../src/member-table/MemberTable";
import { TenantryProvider } from "../../src/provider/TenantryProvider";

/**
 * MemberTable's first render in a real browser (bench/member-table-render.bench.ts builds this page
 * with React's production build and drives it in Chromium). The data is the real router's answer,
 * made in Node and handed over as a dehydrated query cache: every mount finds it cached, as after
 * the first fetch, so this times React building the table — a fresh mount, from `render` until the
 * commit is in the DOM (`flushSync`). Requests that reach the link (background refetches of stale
 * entries) are counted and left pending.
 */
let requests = 0;
/** Counts what reaches the network and leaves it pending: a background refetch must not blank the table. */
const noRequests: TRPCLink<TenantryRouter> = () => () =>
  observable(() => {
    requests++;
  });

function Seed(props: { state: DehydratedState }) {
  const client = useQueryClient();
  useLayoutEffect(() => {
    // Under this provider's scope: the same keys the widget's queries hash to.
    for (const query of props.state.queries) client.setQueryData(query.queryKey, query.state.data);
  }, [client, props.state]);
  return null;
}

async function measure(state: DehydratedState, token: string, iterations: number, warmup: number) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { staleTime: Number.POSITIVE_INFINITY } },
  });
  // The provider stays mounted (a new provider is a new identity with an empty cache); each measured
  // mount is a fresh MemberTable under it.
  const ui = (child: ReactNode) => (
    <TenantryProvider
      baseUrl="https://tenantry.invalid"
      token={token}
      link={noRequests}
      queryClient={queryClient}
      locale="en"
    >
      {child}
    </TenantryProvider>
  );
  const container = document.createElement("div");
  document.body.appendChild(container);
  const root = createRoot(container);
  flushSync(() => root.render(ui(<Seed state={state} />)));
  const times: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    flushSync(() => root.render(ui(null)));
    const t0 = performance.now();
    flushSync(() => root.render(ui(<MemberTable key={i} pageSize={50} />)));
    const elapsed = performance.now() - t0;
    const rows = container.querySelectorAll("tbody tr").length;
    if (rows !== 50) throw new Error(`mount ${i}: the table rendered ${rows} rows, not 50`);
    if (i >= warmup) times.push(elapsed);
    // Let the browser breathe between mounts (layout, paint, GC), as separate page views would.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  root.unmount();
  return { times, requests };
}

Object.assign(window, { measureMemberTable: measure });
