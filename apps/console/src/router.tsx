import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { Shell } from "./components/Shell";
import { NotFoundPage } from "./pages/NotFoundPage";
import { TenantsPage } from "./pages/TenantsPage";
import { activityActionOf, eventsSearchOf, type TenantsSearch } from "./search";
import { ensureSession } from "./session";

// Only the tenants list is in the first load; every other page (sign-in too: a signed-in operator
// never needs it) loads when first opened.
const SignInPage = lazyRouteComponent(() => import("./pages/SignInPage"), "SignInPage");
const ApiKeysPage = lazyRouteComponent(() => import("./pages/ApiKeysPage"), "ApiKeysPage");
const AppsPage = lazyRouteComponent(() => import("./pages/AppsPage"), "AppsPage");
const OperatorsPage = lazyRouteComponent(() => import("./pages/OperatorsPage"), "OperatorsPage");
const OriginsPage = lazyRouteComponent(() => import("./pages/OriginsPage"), "OriginsPage");
const RolesPage = lazyRouteComponent(() => import("./pages/RolesPage"), "RolesPage");
const SchemaPage = lazyRouteComponent(() => import("./pages/SchemaPage"), "SchemaPage");
const SigningKeysPage = lazyRouteComponent(() => import("./pages/SigningKeysPage"), "SigningKeysPage");
const TenantPage = lazyRouteComponent(() => import("./pages/TenantPage"), "TenantPage");
const EventsPage = lazyRouteComponent(() => import("./pages/EventsPage"), "EventsPage");
const WebhookEndpointPage = lazyRouteComponent(
  () => import("./pages/WebhookEndpointPage"),
  "WebhookEndpointPage",
);
const WebhooksPage = lazyRouteComponent(() => import("./pages/WebhooksPage"), "WebhooksPage");
const TestingPage = lazyRouteComponent(() => import("./pages/TestingPage"), "TestingPage");
const TenantProfileTab = lazyRouteComponent(() => import("./pages/TenantProfileTab"), "TenantProfileTab");
const TenantActivityTab = lazyRouteComponent(() => import("./pages/TenantTabs"), "TenantActivityTab");
const TenantConnectionsTab = lazyRouteComponent(() => import("./pages/TenantTabs"), "TenantConnectionsTab");
const TenantCredentialsTab = lazyRouteComponent(() => import("./pages/TenantTabs"), "TenantCredentialsTab");
const TenantFieldsTab = lazyRouteComponent(() => import("./pages/TenantTabs"), "TenantFieldsTab");
const TenantMembersTab = lazyRouteComponent(() => import("./pages/TenantTabs"), "TenantMembersTab");
const TenantUsageTab = lazyRouteComponent(() => import("./pages/TenantTabs"), "TenantUsageTab");

const rootRoute = createRootRoute({ component: Outlet, notFoundComponent: NotFoundPage });

const text = (value: unknown) => (typeof value === "string" && value.trim() ? value : undefined);

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-in",
  validateSearch: (search: Record<string, unknown>) => ({ redirect: text(search.redirect) }),
  component: SignInPage,
});

/** Every page behind sign-in renders inside the shell (navigation, operator menu). */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: async ({ location }) => {
    const state = await ensureSession();
    if (!state.session) {
      throw redirect({
        to: "/sign-in",
        search: { redirect: location.href === "/" ? undefined : location.href },
      });
    }
  },
  component: Shell,
});

const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/tenants" });
  },
});

const tenantsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/tenants",
  validateSearch: (search: Record<string, unknown>): TenantsSearch => {
    const status = text(search.status);
    const kind = text(search.kind);
    return {
      q: text(search.q),
      status: ["active", "suspended", "archived"].includes(status ?? "")
        ? (status as TenantsSearch["status"])
        : undefined,
      kind: ["standard", "enterprise", "trial"].includes(kind ?? "")
        ? (kind as TenantsSearch["kind"])
        : undefined,
      plan: text(search.plan),
      cursor: text(search.cursor),
    };
  },
  component: TenantsPage,
});

const tenantRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/tenants/$tenantId",
  component: TenantPage,
});

const tenantIndexRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: "/",
  beforeLoad: ({ params }) => {
    throw redirect({ to: "/tenants/$tenantId/profile", params });
  },
});

const profileRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: "profile",
  component: TenantProfileTab,
});
const fieldsRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: "fields",
  component: TenantFieldsTab,
});
const credentialsRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: "credentials",
  component: TenantCredentialsTab,
});
const membersRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: "members",
  component: TenantMembersTab,
});
const connectionsRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: "connections",
  component: TenantConnectionsTab,
});
const usageRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: "usage",
  component: TenantUsageTab,
});

const activityRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: "activity",
  validateSearch: (search: Record<string, unknown>) => ({ action: activityActionOf(search.action) }),
  component: TenantActivityTab,
});

const settingsIndexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings",
  beforeLoad: () => {
    throw redirect({ to: "/settings/schema" });
  },
});
const schemaRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings/schema",
  component: SchemaPage,
});
const apiKeysRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings/api-keys",
  component: ApiKeysPage,
});
const signingKeysRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings/signing-keys",
  component: SigningKeysPage,
});
const appsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings/apps",
  component: AppsPage,
});
const rolesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings/roles",
  component: RolesPage,
});
const originsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings/origins",
  component: OriginsPage,
});
const operatorsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings/operators",
  component: OperatorsPage,
});
const webhooksRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/webhooks",
  component: WebhooksPage,
});
const webhookEndpointRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/webhooks/$endpointId",
  component: WebhookEndpointPage,
});
const eventsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/events",
  validateSearch: eventsSearchOf,
  component: EventsPage,
});
const testingRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/testing",
  component: TestingPage,
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([
    indexRoute,
    tenantsRoute,
    tenantRoute.addChildren([
      tenantIndexRoute,
      profileRoute,
      fieldsRoute,
      credentialsRoute,
      membersRoute,
      connectionsRoute,
      usageRoute,
      activityRoute,
    ]),
    settingsIndexRoute,
    schemaRoute,
    apiKeysRoute,
    signingKeysRoute,
    appsRoute,
    rolesRoute,
    originsRoute,
    operatorsRoute,
    webhooksRoute,
    webhookEndpointRoute,
    eventsRoute,
    testingRoute,
  ]),
]);

export const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
