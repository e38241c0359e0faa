/**
 * Seeds a Tenantry workspace for the demo over its REST API with an API key, as a host's setup script
 * would: a signing key, the demo's browser origin, a field schema, a tenant with a few members, and
 * an app catalog: an API-key app and, when a provider is given, an OAuth2 app on the demo's own
 * loopback provider.
 */
export interface DemoSeed {
  signingKey: { id: string; secret: string };
  organization: { id: string; name: string };
  user: { id: string; name: string; email: string };
  tenantId: string;
}

export const DEMO_SCHEMA = {
  type: "object",
  required: ["companyName", "billingEmail", "seats"],
  properties: {
    companyName: { type: "string", title: "Company name", minLength: 2, maxLength: 80, "x-order": 1 },
    billingEmail: {
      type: "string",
      format: "email",
      title: "Billing email",
      description: "Invoices and receipts go here.",
      "x-order": 2,
    },
    seats: { type: "integer", title: "Seats", minimum: 1, maximum: 500, "x-order": 3 },
    plan: { type: "string", enum: ["starter", "growth", "enterprise"], title: "Plan", "x-order": 4 },
    ssoEnforced: { type: "boolean", title: "Require single sign-on", "x-order": 5 },
  },
};

const PEOPLE = [
  { firstName: "Björn", lastName: "Lindqvist", type: "admin", roles: ["admin"] },
  { firstName: "Amara", lastName: "Okafor", type: "member", roles: ["member"] },
  { firstName: "Chen", lastName: "Wei", type: "contractor", roles: ["member"] },
  { firstName: "Lars", lastName: "Nyström", type: "readonly_auditor", roles: ["viewer"] },
];

function caller(tenantryUrl: string, apiKey: string) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${tenantryUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  };
}

/** Lets the demo's pages call Tenantry from the browser (CORS for exactly this origin). */
export async function allowOrigin(tenantryUrl: string, apiKey: string, origin: string): Promise<void> {
  await caller(tenantryUrl, apiKey)("PUT", "/allowed-origins", { origins: [origin] });
}

import { appSettingsFor } from "@tenantry/oauth-provider/process";

export interface DemoOAuthProvider {
  url: string;
  clientId: string;
  clientSecret: string;
}

async function seedOAuthApp(call: ReturnType<typeof caller>, provider: DemoOAuthProvider | undefined) {
  if (!provider) return;
  await call("POST", "/apps", {
    key: "loopback-crm",
    name: "Loopback CRM",
    authType: "oauth2",
    oauth2: appSettingsFor(provider, ["contacts.read", "offline_access"]),
  });
}

export async function seedDemo(
  tenantryUrl: string,
  apiKey: string,
  options: { oauthProvider?: DemoOAuthProvider } = {},
): Promise<DemoSeed> {
  const call = caller(tenantryUrl, apiKey);
  await seedOAuthApp(call, options.oauthProvider);
  const key = await call<{ id: string; secret: string }>("POST", "/signing-keys", {
    algorithm: "HS256",
    name: "demo host",
  });
  await call("PUT", "/tenant-field-schema", { schema: DEMO_SCHEMA });
  const organization = { id: "northwind", name: "Northwind Traders" };
  const user = { id: "host-user-ellen", name: "Ellen Ekström", email: "ellen@northwind.example" };
  const tenant = await call<{ id: string }>("POST", "/tenants", {
    name: organization.name,
    internalId: organization.id,
    fields: {
      companyName: "Northwind Traders",
      billingEmail: "billing@northwind.example",
      seats: 42,
      plan: "growth",
    },
    owner: { email: user.email, externalId: user.id, firstName: "Ellen", lastName: "Ekström" },
  });
  for (const person of PEOPLE) {
    await call("POST", `/tenants/${tenant.id}/memberships`, {
      email: `${person.firstName}.${person.lastName}@northwind.example`
        .toLowerCase()
        .normalize("NFD")
        .replace(/[\u0300-\u036f]/g, ""),
      firstName: person.firstName,
      lastName: person.lastName,
      type: person.type,
      status: "active",
      roles: person.roles,
    });
  }
  // An API-key app for the connection UI's parameters form (the OAuth demo app comes with its provider).
  await call("POST", "/apps", {
    key: "acme-crm",
    name: "Acme CRM",
    authType: "api_key",
    parametersSchema: {
      type: "object",
      required: ["apiKey"],
      properties: {
        apiKey: { type: "string", title: "API key", minLength: 10, writeOnly: true, "x-order": 1 },
        region: { type: "string", title: "Region", enum: ["eu", "us"], "x-order": 2 },
      },
    },
  });
  return { signingKey: key, organization, user, tenantId: tenant.id };
}
