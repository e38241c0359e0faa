/**
 * A host's backend script on plain Node: creates a tenant with the typed client, creates an HS256
 * signing key, signs an access token for the tenant and reads `GET /api/v1/me` with it, then asks
 * for a tenant that does not exist. Exits 1 on the first wrong answer.
 *
 *   npm run build && TENANTRY_URL=http://127.0.0.1:4000 TENANTRY_API_KEY=tnt_sk_… npm start
 */
import assert from "node:assert/strict";
import { createTenantryClient, signAccessToken, TenantryClientError } from "@tenantry/client";

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const baseUrl = setting("TENANTRY_URL");
const client = createTenantryClient({ baseUrl, apiKey: setting("TENANTRY_API_KEY") });
const run = Date.now().toString(36);

const tenant = await client.tenants.create.mutate({
  name: `Node Client ${run}`,
  internalId: `node-client-${run}`,
});
console.log(`created tenant ${tenant.id} (${tenant.name})`);

// Two calls at once go out as one batched request.
const [sameTenant, keysBefore] = await Promise.all([
  client.tenants.get.query({ id: tenant.id }),
  client.signingKeys.list.query(),
]);
assert.equal(sameTenant.name, tenant.name);
console.log(`read it back; the workspace had ${keysBefore.items.length} signing key(s)`);

const key = await client.signingKeys.create.mutate({ algorithm: "HS256", name: `node-client-${run}` });
assert.ok(typeof key.secret === "string", "an HS256 key's secret comes back once, on creation");
console.log(`created signing key ${key.id}`);

const token = await signAccessToken({
  signingKey: { id: key.id, secret: key.secret },
  tenant: { id: tenant.internalId },
  scope: "tenant:read fields:read",
  expiresIn: "15m",
});
const response = await fetch(`${baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
const body = await response.text();
assert.equal(response.status, 200, `GET /api/v1/me answered ${response.status}: ${body}`);
const me = JSON.parse(body) as { tenant: { id: string; name: string } };
assert.equal(me.tenant.id, tenant.id);
assert.equal(me.tenant.name, tenant.name);
console.log(`GET /api/v1/me with the signed token names ${me.tenant.name}`);

await assert.rejects(
  client.tenants.get.query({ id: "tenant_01900000-0000-7000-8000-000000000000" }),
  (error: unknown) => {
    assert.ok(error instanceof TenantryClientError, `expected a TenantryClientError, got ${String(error)}`);
    assert.equal(error.code, "not_found");
    assert.equal(error.status, 404);
    return true;
  },
);
console.log("an unknown tenant is a TenantryClientError with code not_found (404)");
console.log("node-client: all good");
