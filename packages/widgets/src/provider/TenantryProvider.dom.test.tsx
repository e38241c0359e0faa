import { QueryClient } from "@tanstack/react-query";
import { createHarness, type Harness } from "@tenantry/api/testing";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { useEffect } from "react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TenantFieldsForm } from "../tenant-fields-form/TenantFieldsForm.js";
import { inProcessLink } from "../testing/in-process-link.js";
import {
  createTenantFor,
  createWidgetWorld,
  MANY_FIELDS_SCHEMA,
  type WidgetWorld,
} from "../testing/world.js";
import { TenantryProvider, useMe } from "./TenantryProvider.js";

let h: Harness;
let world: WidgetWorld;
let link: ReturnType<typeof inProcessLink>;

beforeAll(async () => {
  h = await createHarness();
  world = await createWidgetWorld(h.api, { schema: MANY_FIELDS_SCHEMA });
  link = inProcessLink({ db: h.handle.db, keyring: h.keyring });
});
afterAll(() => h.close());
afterEach(cleanup);

let counter = 0;
async function tenant(companyName: string) {
  const sub = `iso-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
  await createTenantFor(h.api, sub, {
    name: companyName,
    fields: { companyName, billingEmail: "billing@example.com", seats: 3 },
  });
  const token = await world.signToken({ sub, scope: "fields:read fields:write tenant:read" });
  return { sub, getToken: async () => token };
}

let probeMounts = 0;
/** Host state inside the provider: a remount would reset it. */
function MountProbe() {
  useEffect(() => {
    probeMounts++;
  }, []);
  return null;
}

function TenantName() {
  const me = useMe();
  return <p data-testid="tenant-name">{me.data ? me.data.tenant.name : "loading"}</p>;
}

describe("TenantryProvider inside a real host", () => {
  it("switches tenants when getToken changes, without a remount and never showing the old tenant", async () => {
    const a = await tenant("Alpha AB");
    const b = await tenant("Beta Oy");
    const seen: string[] = [];
    const view = (getToken: () => Promise<string>) => (
      <TenantryProvider baseUrl="http://tenantry.invalid" link={link} getToken={getToken} locale="en">
        <MountProbe />
        <TenantName />
        <TenantFieldsForm />
      </TenantryProvider>
    );
    const { rerender } = render(view(a.getToken));
    expect(await screen.findByLabelText(/Company name/)).toHaveProperty("value", "Alpha AB");
    await waitFor(() => expect(screen.getByTestId("tenant-name").textContent).toBe("Alpha AB"));

    // Record every value the name shows from the switch on: Alpha must never appear again.
    const observer = new MutationObserver(() =>
      seen.push(screen.getByTestId("tenant-name").textContent ?? ""),
    );
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    rerender(view(b.getToken));
    seen.push(screen.getByTestId("tenant-name").textContent ?? "");
    await waitFor(() => expect(screen.getByTestId("tenant-name").textContent).toBe("Beta Oy"));
    expect(await screen.findByLabelText(/Company name/)).toHaveProperty("value", "Beta Oy");
    observer.disconnect();
    expect(seen.filter((name) => name === "Alpha AB")).toEqual([]);
    // Nothing below the provider was remounted: the host needed no `key`.
    expect(probeMounts).toBe(1);
  });

  it("keeps its queries apart from the host's QueryClient and from a second provider", async () => {
    const a = await tenant("Gamma GmbH");
    const b = await tenant("Delta SA");
    const host = new QueryClient();
    // The host's own tRPC app has a procedure at the same path, cached under tRPC's usual key.
    host.setQueryData([["accessTokens", "me"], { type: "query" }], { tenant: { name: "Host data" } });
    render(
      <>
        <div data-testid="first">
          <TenantryProvider
            baseUrl="http://tenantry.invalid"
            link={link}
            getToken={a.getToken}
            queryClient={host}
          >
            <TenantName />
          </TenantryProvider>
        </div>
        <div data-testid="second">
          <TenantryProvider
            baseUrl="http://tenantry.invalid"
            link={link}
            getToken={b.getToken}
            queryClient={host}
          >
            <TenantName />
          </TenantryProvider>
        </div>
      </>,
    );
    const names = () => screen.getAllByTestId("tenant-name").map((node) => node.textContent);
    expect(names()).not.toContain("Host data");
    await waitFor(() => expect(names()).toEqual(["Gamma GmbH", "Delta SA"]));
    // The host's entry is untouched, and the widgets' entries live in the host's cache (devtools).
    expect(host.getQueryData([["accessTokens", "me"], { type: "query" }])).toEqual({
      tenant: { name: "Host data" },
    });
    const widgetEntries = host
      .getQueryCache()
      .getAll()
      .filter((query) => query.queryHash.includes("@tenantry/widgets"));
    expect(widgetEntries.length).toBeGreaterThanOrEqual(2);
  });
});
