import { Window } from "happy-dom";
import type { ReactNode } from "react";

// Import this after setting NODE_ENV=production (see bench/member-table-render.bench.ts): React's
// production build, as hosts ship it.

/**
 * Issue 5's speed target: the first render of MemberTable with 50 rows under 16 ms. The data comes
 * from the real router on PGlite and is in the query cache already (as after the first fetch), so
 * this measures React building the table: a fresh mount of the widget, timed until it is in the DOM.
 */
const window = new Window({ url: "https://host.example/" });
Object.assign(globalThis, {
  window,
  document: window.document,
  navigator: window.navigator,
  HTMLElement: window.HTMLElement,
  Node: window.Node,
  Element: window.Element,
  MutationObserver: window.MutationObserver,
  getComputedStyle: window.getComputedStyle.bind(window),
});

const { QueryClient, dehydrate } = await import("@tanstack/react-query");
const { createHarness } = await import("@tenantry/api/testing");
const { flushSync } = await import("react-dom");
const { createRoot } = await import("react-dom/client");
const { MemberTable } = await import("../src/member-table/MemberTable");
const { TenantryProvider } = await import("../src/provider/TenantryProvider");
const { inProcessLink } = await import("../src/testing/in-process-link");
const { createTeam, createWidgetWorld } = await import("../src/testing/world");

export async function measureMemberTableRender(iterations = 200) {
  const { measured } = await memberTableRun(iterations);
  return measured;
}

/**
 * The happy-dom measurement and the query cache it rendered from (the real router's answers, as JSON
 * as they would come over HTTP) with the owner's token, for the same measurement in Chromium.
 */
export async function memberTableRun(iterations = 200) {
  const h = await createHarness();
  const world = await createWidgetWorld(h.api);
  const { ownerToken } = await createTeam(world, "bench-org", { extra: 49 });
  const link = inProcessLink({ db: h.handle.db, keyring: h.keyring });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { staleTime: Number.POSITIVE_INFINITY } },
  });
  // The provider stays mounted, as on a host's page: a new provider is a new identity with an empty
  // cache (TenantryProvider), so each measured mount is a fresh MemberTable under the same provider.
  const ui = (child: ReactNode) => (
    <TenantryProvider
      baseUrl="https://tenantry.invalid"
      token={ownerToken}
      link={link}
      queryClient={queryClient}
      locale="en"
    >
      {child}
    </TenantryProvider>
  );
  const container = document.createElement("div");
  document.body.appendChild(container);
  const root = createRoot(container as unknown as HTMLElement);
  const rowCount = () => container.querySelectorAll("tbody tr").length;
  // Fill the cache the way the first visit does, then wait until every row is there.
  flushSync(() => root.render(ui(<MemberTable key="first" pageSize={50} />)));
  for (let i = 0; i < 200 && rowCount() < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (rowCount() < 50) throw new Error(`expected 50 rows, got ${rowCount()}`);

  const times: number[] = [];
  for (let i = 0; i < iterations + 20; i++) {
    flushSync(() => root.render(ui(null)));
    const t0 = performance.now();
    flushSync(() => root.render(ui(<MemberTable key={i} pageSize={50} />)));
    const elapsed = performance.now() - t0;
    const rendered = rowCount();
    if (rendered !== 50)
      throw new Error(
        `mount ${i}: the table rendered ${rendered} rows, not 50: ${container.textContent?.slice(0, 200)}`,
      );
    if (i >= 20) times.push(elapsed);
  }
  root.unmount();
  container.remove();
  const cache = JSON.parse(JSON.stringify(dehydrate(queryClient)));
  await h.close();
  return { measured: summarize(times), cache, token: ownerToken };
}

export function summarize(times: number[]) {
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;
  return {
    samples: times.length,
    p50: at(50),
    p99: at(99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  };
}
