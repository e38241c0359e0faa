import type { createCaller } from "@tenantry/api";
import type { FieldSchemaDocument } from "@tenantry/contracts/fields";
import { SignJWT } from "jose";

type ApiCaller = ReturnType<typeof createCaller>;

/** A workspace's settings as a real host would define them: every kind of field the form renders. */
export const MANY_FIELDS_SCHEMA: FieldSchemaDocument = {
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
    website: { type: "string", format: "uri", title: "Website", "x-order": 3 },
    seats: { type: "integer", title: "Seats", minimum: 1, maximum: 500, "x-order": 4 },
    discount: {
      type: "number",
      title: "Discount (%)",
      minimum: 0,
      maximum: 50,
      description: "Applied to every invoice.",
      "x-order": 5,
    },
    plan: { type: "string", enum: ["starter", "growth", "enterprise"], title: "Plan", "x-order": 6 },
    region: {
      type: "string",
      enum: ["eu-north-1", "eu-west-1", "us-east-1"],
      title: "Data region",
      "x-order": 7,
    },
    renewalDate: { type: "string", format: "date", title: "Renewal date", "x-order": 8 },
    ssoEnforced: {
      type: "boolean",
      title: "Require single sign-on",
      description: "Members must sign in through the company's identity provider.",
      "x-order": 9,
    },
    crmApiKey: {
      type: "string",
      writeOnly: true,
      title: "CRM API key",
      description: "Used to sync accounts. Write-only: it is never shown again.",
      minLength: 8,
      "x-order": 10,
    },
  },
};

export const MANY_FIELDS_VALUES = {
  companyName: "Northwind Traders",
  billingEmail: "billing@northwind.example",
  website: "https://northwind.example",
  seats: 42,
  discount: 12.5,
  plan: "growth",
  region: "eu-north-1",
  renewalDate: "2027-03-01",
  ssoEnforced: true,
};

export interface WidgetWorld {
  /** The workspace's API key caller (the host's backend). */
  api: ApiCaller;
  /** Signs an access token as the host's backend would, with the workspace's HS256 key. */
  signToken(claims: {
    sub: string;
    name?: string;
    scope?: string;
    fields?: Record<string, unknown>;
    /** The host's user: the token then acts with that member's roles. */
    user?: { id: string; email?: string; firstName?: string; lastName?: string };
    /** Seconds from now; negative for an expired token. */
    expiresIn?: number;
    /** Sign with a key the workspace does not know (answers 401). */
    unknownKey?: boolean;
  }): Promise<string>;
}

/** Gives the workspace a signing key, a field schema and a token signer. */
export async function createWidgetWorld(
  api: ApiCaller,
  options: { schema?: FieldSchemaDocument } = {},
): Promise<WidgetWorld> {
  const key = await api.signingKeys.create({ algorithm: "HS256", name: "widgets" });
  const secret = new TextEncoder().encode(key.secret!);
  if (options.schema) await api.fields.putSchema({ schema: options.schema });
  return {
    api,
    async signToken(claims) {
      const { expiresIn = 600, unknownKey = false, ...payload } = claims;
      const now = Math.floor(Date.now() / 1000);
      const signingSecret = unknownKey ? globalThis.crypto.getRandomValues(new Uint8Array(32)) : secret;
      return new SignJWT(payload)
        .setProtectedHeader({ alg: "HS256", kid: unknownKey ? "sk_unknown" : key.id })
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .sign(signingSecret);
    },
  };
}

/** Creates the tenant a token's `sub` names, as the host's backend would before handing out tokens. */
export async function createTenantFor(
  api: ApiCaller,
  internalId: string,
  options: { name?: string; fields?: Record<string, unknown>; locale?: string } = {},
): Promise<string> {
  const created = await api.tenants.create({
    name: options.name ?? internalId,
    internalId,
    ...(options.fields ? { fields: options.fields as Record<string, never> } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
  });
  return created.id;
}

/** People for the member table's stories and tests: realistic names, every status and type. */
export const SAMPLE_PEOPLE: {
  firstName: string;
  lastName: string;
  type: "admin" | "member" | "contractor" | "service_operator" | "readonly_auditor";
  status: "active" | "invited";
}[] = [
  { firstName: "Björn", lastName: "Lindqvist", type: "admin", status: "active" },
  { firstName: "Amara", lastName: "Okafor", type: "member", status: "active" },
  { firstName: "Chen", lastName: "Wei", type: "contractor", status: "active" },
  { firstName: "Sofia", lastName: "Moreno", type: "member", status: "invited" },
  { firstName: "Lars", lastName: "Nyström", type: "readonly_auditor", status: "active" },
  { firstName: "Priya", lastName: "Raman", type: "service_operator", status: "active" },
];

/**
 * A tenant whose first owner is the token's user (Tenantry makes the first user of a new tenant its
 * owner), with `people` added through the members API; `extra` more generated members for long lists.
 */
export async function createTeam(
  world: WidgetWorld,
  sub: string,
  options: {
    people?: typeof SAMPLE_PEOPLE;
    extra?: number;
    locale?: string;
    maxUsers?: number;
    owner?: { firstName: string; lastName: string };
  } = {},
): Promise<{
  tenantId: string;
  ownerUserId: string;
  ownerToken: string;
  userIdsByEmail: Map<string, string>;
}> {
  const domain = `${sub.replace(/[^a-z0-9-]/gi, "").toLowerCase()}.example`;
  const ownerName = options.owner ?? { firstName: "Ellen", lastName: "Ekström" };
  const tenant = await world.api.tenants.create({
    name: `Team ${sub}`,
    internalId: sub,
    ...(options.locale ? { locale: options.locale } : {}),
    ...(options.maxUsers ? { maxUsers: options.maxUsers } : {}),
    owner: { email: `ellen@${domain}`, externalId: `${sub}-owner`, ...ownerName },
  });
  const userIdsByEmail = new Map<string, string>();
  const people = [
    ...(options.people ?? SAMPLE_PEOPLE),
    ...Array.from({ length: options.extra ?? 0 }, (_, i) => ({
      firstName: `Person`,
      lastName: String(i + 1).padStart(3, "0"),
      type: "member" as const,
      status: "active" as const,
    })),
  ];
  for (const person of people) {
    const email = `${person.firstName}.${person.lastName}@${domain}`
      .toLowerCase()
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "");
    const created = await world.api.members.create({
      tenantId: tenant.id,
      email,
      firstName: person.firstName,
      lastName: person.lastName,
      type: person.type,
      status: person.status,
      externalId: `${sub}-${person.firstName.toLowerCase()}-${person.lastName.toLowerCase()}`,
      roles: [person.type === "admin" ? "admin" : person.type === "readonly_auditor" ? "viewer" : "member"],
    });
    userIdsByEmail.set(email, created.userId);
  }
  const owner = (await world.api.members.list({ tenantId: tenant.id, type: "owner" })).items[0]!;
  const ownerToken = await world.signToken({ sub, user: { id: `${sub}-owner` } });
  return { tenantId: tenant.id, ownerUserId: owner.userId, ownerToken, userIdsByEmail };
}
