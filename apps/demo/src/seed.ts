/**
 * Seeds a Tenantry workspace for the demo over its REST API with an API key, as a host's setup script
 * would: a signing key, the demo's browser origin, a field schema, a tenant with a few members, an
 * AI-credit limit with most of it used, a sync flow and a contact field mapping, and an app catalog:
 * an API-key app and, when a provider is given, an OAuth2 app on the demo's own loopback provider.
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

export const DEMO_AI_CREDITS = { limit: 5000, used: 4200 };
/** The elements the demo's page customizes: a flow's settings and a contact field mapping. */
export const DEMO_ELEMENTS = { flow: "contact-sync", fieldMapping: "contacts-sync" };

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
    aiCreditsRolling30DayLimit: DEMO_AI_CREDITS.limit,
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
  // Most of the month's AI credits used: the usage meter shows its warning.
  await call("POST", `/tenants/${tenant.id}/usage`, {
    metric: "ai_credits",
    amount: DEMO_AI_CREDITS.used,
    idempotencyKey: "demo-seed",
  });
  await seedElements(call);
  return { signingKey: key, organization, user, tenantId: tenant.id };
}

async function seedElements(call: ReturnType<typeof caller>) {
  await call("POST", "/element-templates", {
    type: "flow",
    key: DEMO_ELEMENTS.flow,
    name: "Contact sync",
    definition: { schedule: { every: 60, enabled: true }, conflicts: "skip" },
    configSchema: {
      type: "object",
      properties: {
        schedule: {
          type: "object",
          title: "Schedule",
          "x-order": 1,
          properties: {
            every: { type: "integer", minimum: 5, maximum: 1440, title: "Every (minutes)", "x-order": 1 },
            enabled: { type: "boolean", title: "Enabled", "x-order": 2 },
          },
        },
        conflicts: { type: "string", title: "On conflict", enum: ["skip", "overwrite"], "x-order": 2 },
      },
    },
  });
  await call("POST", "/element-templates", {
    type: "data_source",
    key: "contacts",
    name: "Contacts",
    definition: {
      fields: {
        email: { title: "E-mail" },
        full_name: { title: "Full name" },
        company: { title: "Company" },
      },
    },
  });
  await call("POST", "/element-templates", {
    type: "field_mapping",
    key: DEMO_ELEMENTS.fieldMapping,
    name: "Contacts",
    dataSourceKey: "contacts",
    direction: "import",
    definition: { import: { email: { field: "email" }, name: { field: "full_name" } } },
    configSchema: {
      type: "object",
      properties: {
        import: {
          type: "object",
          properties: { email: { type: "object", title: "Email" }, name: { type: "object", title: "Name" } },
        },
      },
    },
  });
}
