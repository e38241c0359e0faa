import { Window } from "happy-dom";

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

const { QueryClient } = await import("@tanstack/react-query");
const { createHarness } = await import("@tenantry/api/testing");
const { flushSync } = await import("react-dom");
const { createRoot } = await import("react-dom/client");
const { MemberTable } = await import("../src/member-table/MemberTable");
const { TenantryProvider } = await import("../src/provider/TenantryProvider");
const { inProcessLink } = await import("../src/testing/in-process-link");
const { createTeam, createWidgetWorld } = await import("../src/testing/world");

export async function measureMemberTableRender(iterations = 200) {
  const h = await createHarness();
  const world = await createWidgetWorld(h.api);
  const { ownerToken } = await createTeam(world, "bench-org", { extra: 49 });
  const link = inProcessLink({ db: h.handle.db, keyring: h.keyring });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { staleTime: Number.POSITIVE_INFINITY } },
  });
  const ui = (
    <TenantryProvider
      baseUrl="https://tenantry.invalid"
      token={ownerToken}
      link={link}
      queryClient={queryClient}
      locale="en"
    >
      <MemberTable pageSize={50} />
    </TenantryProvider>
  );
  const mount = () => {
    const container = document.createElement("div");
    document.body.appendChild(container);
    const root = createRoot(container as unknown as HTMLElement);
    return { container, root };
  };
  // Fill the cache the way the first visit does, then wait until every row is there.
  const first = mount();
  flushSync(() => first.root.render(ui));
  for (let i = 0; i < 200 && first.container.querySelectorAll("tbody tr").length < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const rows = first.container.querySelectorAll("tbody tr").length;
  first.root.unmount();
  if (rows < 50) throw new Error(`expected 50 rows, got ${rows}`);

  const times: number[] = [];
  for (let i = 0; i < iterations + 20; i++) {
    const { container, root } = mount();
    const t0 = performance.now();
    flushSync(() => root.render(ui));
    const elapsed = performance.now() - t0;
    if (container.querySelectorAll("tbody tr").length !== 50)
      throw new Error("the table did not render 50 rows");
    if (i >= 20) times.push(elapsed);
    root.unmount();
    container.remove();
  }
  await h.close();
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;
  return {
    samples: times.length,
    p50: at(50),
    p99: at(99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  };
}
