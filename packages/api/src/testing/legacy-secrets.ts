import type { Database } from "@tenantry/db/database";
import { apps, connections, oauthStates } from "@tenantry/db/schema/connections";
import { signingKeys } from "@tenantry/db/schema/signing-keys";
import { tenants } from "@tenantry/db/schema/tenants";
import { and, eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { clientSecretAad } from "../apps/service";
import { verifierAad } from "../connections/oauth";
import { connectionCredentialsAad } from "../connections/sealed-credentials";
import { secretFieldAad } from "../fields/service";
import type { createCaller } from "../root";
import type { AssociatedData, Keyring } from "../secrets/keyring";
import { signingSecretAad } from "../signing-keys/service";
import { credentialsAad } from "../tenants/credentials";

type Api = ReturnType<typeof createCaller>;

/**
 * Secrets of every kind, made through the API: tenants with credentials and a secret field, an HS256
 * signing key, an OAuth2 app (client secret) and an api_key app with a connection (parameters).
 */
export async function seedSecrets(
  api: Api,
  options: { tenants: number; oauth2?: Record<string, unknown> & { clientSecret: string } },
) {
  await api.fields.putSchema({
    schema: { type: "object", properties: { pin: { type: "string", writeOnly: true } } },
  });
  const tenantIds: string[] = [];
  for (let i = 0; i < options.tenants; i += 20) {
    const created = await Promise.all(
      Array.from({ length: Math.min(20, options.tenants - i) }, (_, j) =>
        api.tenants.create({
          name: `Sealed ${i + j}`,
          credentials: { password: `p${i + j}` },
          fields: { pin: `${1000 + i + j}` },
        }),
      ),
    );
    tenantIds.push(...created.map((tenant) => tenant.id));
  }
  const signingKey = await api.signingKeys.create({ algorithm: "HS256", name: "legacy" });
  if (options.oauth2) {
    await api.apps.create({
      key: "loopback",
      name: "Loopback CRM",
      authType: "oauth2",
      oauth2: options.oauth2 as never,
    });
  }
  await api.apps.create({ key: "tracker", name: "Tracker", authType: "api_key" });
  const apiKeyConnection = await api.connections.create({
    tenantId: tenantIds[0]!,
    appKey: "tracker",
    parameters: { apiKey: "tracker-key-1" },
  });
  return { tenantIds, signingKey: { id: signingKey.id, secret: signingKey.secret! }, apiKeyConnection };
}

/** What tenant `i` of `seedSecrets` holds. */
export const seededTenant = (i: number) => ({
  credentials: { password: `p${i}` },
  fields: { pin: `${1000 + i}` },
});

/** A token signed with the seeded HS256 key (verifying it opens the sealed signing secret). */
export function tokenFor(key: { id: string; secret: string }, sub = "legacy-host-1"): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", kid: key.id })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(key.secret));
}

/**
 * Rewrites every sealed value in the database the way Tenantry sealed it before the associated data
 * named the workspace: format `v1`, associated data exactly as the old code wrote it (spelled out here,
 * not taken from the helpers under test). Returns how many values it rewrote.
 */
export async function sealTheOldWay(db: Database, keyring: Keyring): Promise<number> {
  const old = async (sealed: string, now: AssociatedData, legacy: string) => {
    const plaintext = await keyring.open(sealed, now);
    return (await keyring.seal(plaintext, legacy)).replace(/^v2\./, "v1.");
  };
  let count = 0;
  for (const row of await db.select().from(tenants)) {
    const secretFields: Record<string, string> = {};
    for (const [name, sealed] of Object.entries(row.secretFields)) {
      secretFields[name] = await old(
        sealed,
        secretFieldAad(row.workspaceId, row.id, name),
        `tenant:${row.id}:field:${name}`,
      );
      count++;
    }
    const credentialsSealed = row.credentialsSealed
      ? await old(
          row.credentialsSealed,
          credentialsAad(row.workspaceId, row.id),
          `tenant:${row.id}:credentials`,
        )
      : null;
    if (credentialsSealed) count++;
    await db
      .update(tenants)
      .set({ credentialsSealed, secretFields })
      .where(and(eq(tenants.workspaceId, row.workspaceId), eq(tenants.id, row.id)));
  }
  for (const row of await db.select().from(signingKeys)) {
    if (!row.secretSealed) continue;
    const secretSealed = await old(
      row.secretSealed,
      signingSecretAad(row.workspaceId, row.id),
      `signing-key:${row.id}`,
    );
    await db
      .update(signingKeys)
      .set({ secretSealed })
      .where(and(eq(signingKeys.workspaceId, row.workspaceId), eq(signingKeys.id, row.id)));
    count++;
  }
  for (const row of await db.select().from(apps)) {
    if (!row.clientSecretSealed) continue;
    const clientSecretSealed = await old(
      row.clientSecretSealed,
      clientSecretAad(row),
      `app:${row.id}:client_secret`,
    );
    await db
      .update(apps)
      .set({ clientSecretSealed })
      .where(and(eq(apps.workspaceId, row.workspaceId), eq(apps.id, row.id)));
    count++;
  }
  for (const row of await db.select().from(connections)) {
    if (!row.credentialsSealed) continue;
    const credentialsSealed = await old(
      row.credentialsSealed,
      connectionCredentialsAad(row),
      `connection:${row.id}:credentials`,
    );
    await db
      .update(connections)
      .set({ credentialsSealed })
      .where(and(eq(connections.workspaceId, row.workspaceId), eq(connections.id, row.id)));
    count++;
  }
  for (const row of await db.select().from(oauthStates)) {
    const codeVerifierSealed = await old(
      row.codeVerifierSealed,
      verifierAad(row),
      `oauth_state:${row.id}:code_verifier`,
    );
    await db.update(oauthStates).set({ codeVerifierSealed }).where(eq(oauthStates.id, row.id));
    count++;
  }
  return count;
}

/** Every sealed value in the database, by where it lives (for before/after comparisons). */
export async function sealedValues(db: Database): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const row of await db.select().from(tenants)) {
    if (row.credentialsSealed)
      values.set(`tenant:${row.workspaceId}:${row.id}:credentials`, row.credentialsSealed);
    for (const [name, sealed] of Object.entries(row.secretFields)) {
      values.set(`tenant:${row.workspaceId}:${row.id}:field:${name}`, sealed);
    }
  }
  for (const row of await db.select().from(signingKeys)) {
    if (row.secretSealed) values.set(`signing-key:${row.workspaceId}:${row.id}`, row.secretSealed);
  }
  for (const row of await db.select().from(apps)) {
    if (row.clientSecretSealed) values.set(`app:${row.workspaceId}:${row.id}`, row.clientSecretSealed);
  }
  for (const row of await db.select().from(connections)) {
    if (row.credentialsSealed) values.set(`connection:${row.workspaceId}:${row.id}`, row.credentialsSealed);
  }
  for (const row of await db.select().from(oauthStates)) {
    values.set(`oauth-state:${row.workspaceId}:${row.id}`, row.codeVerifierSealed);
  }
  return values;
}

/** How many of the values are in each format. */
export function formatsOf(values: Map<string, string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sealed of values.values()) {
    const format = sealed.split(".")[0]!;
    counts[format] = (counts[format] ?? 0) + 1;
  }
  return counts;
}
