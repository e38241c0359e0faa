import { webhookEndpoints } from "@tenantry/db/schema/webhooks";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { createHarness, HARNESS_PUBLIC_URL, type Harness } from "../testing/harness";
import {
  formatsOf,
  sealedValues,
  sealTheOldWay,
  seededTenant,
  seedSecrets,
  tokenFor,
} from "../testing/legacy-secrets";
import { signingSecrets } from "../webhooks/endpoints";
import { createKeyring } from "./keyring";
import { resealStaleSecrets } from "./rotate";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

it("opens rows sealed under the previous key after rotation, and rotate-keys seals them anew", async () => {
  const oldKey = new Uint8Array(32).fill(3);
  const newKey = new Uint8Array(32).fill(4);
  const callerWith = async (current: Uint8Array, previous: Uint8Array[] = []) => {
    const keyring = await createKeyring(current, previous);
    return {
      keyring,
      api: createCaller(
        createContext({
          db: h.handle.db,
          keyring,
          header: (name) => (name === "x-api-key" ? h.apiKey : undefined),
        }),
      ),
    };
  };
  const before = await callerWith(oldKey);
  await before.api.fields.putSchema({
    schema: { type: "object", properties: { pin: { type: "string", writeOnly: true } } },
  });
  const tenant = await before.api.tenants.create({
    name: "Rotating",
    credentials: { password: "p1" },
    fields: { pin: "1234" },
  });
  const hs = await before.api.signingKeys.create({ algorithm: "HS256" });

  const after = await callerWith(newKey, [oldKey]);
  expect((await after.api.tenants.credentials({ id: tenant.id })).credentials).toEqual({ password: "p1" });
  expect((await after.api.tenants.secretFields({ id: tenant.id })).values).toEqual({ pin: "1234" });

  const { resealed } = await resealStaleSecrets(h.handle.db, after.keyring);
  // The credentials were already resealed lazily by the read above; the field and the key were not.
  expect(resealed).toBe(2);
  const onlyNew = await callerWith(newKey);
  expect((await onlyNew.api.tenants.credentials({ id: tenant.id })).credentials).toEqual({ password: "p1" });
  expect((await onlyNew.api.tenants.secretFields({ id: tenant.id })).values).toEqual({ pin: "1234" });
  const { SignJWT } = await import("jose");
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", kid: hs.id })
    .setSubject("rotated")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(hs.secret!));
  expect((await onlyNew.api.accessTokens.introspect({ token })).active).toBe(true);
  expect((await resealStaleSecrets(h.handle.db, onlyNew.keyring)).resealed).toBe(0);
});

it("seals every kind of secret under the new key, legacy (v1) values included, so the old key can go", async () => {
  const oldKey = new Uint8Array(32).fill(5);
  const newKey = new Uint8Array(32).fill(6);
  const callerWith = async (current: Uint8Array, previous: Uint8Array[] = []) => {
    const keyring = await createKeyring(current, previous);
    const api = createCaller(
      createContext({
        db: h.handle.db,
        keyring,
        header: (name) => (name === "x-api-key" ? h.apiKey : undefined),
        publicUrl: HARNESS_PUBLIC_URL,
      }),
    );
    return { keyring, api };
  };
  const before = await callerWith(oldKey);
  const seeded = await seedSecrets(before.api, {
    tenants: 3,
    oauth2: {
      authorizeUrl: "https://crm.example/authorize",
      tokenUrl: "https://crm.example/token",
      clientId: "crm",
      clientSecret: "crm-secret",
      scopes: ["read"],
    },
  });
  await before.api.connections.create({ tenantId: seeded.tenantIds[0]!, appKey: "loopback" });
  // Whatever an earlier test left under its keys is sealed again under this old key first.
  await resealStaleSecrets(h.handle.db, await createKeyring(oldKey, [new Uint8Array(32).fill(4)]));
  const count = await sealTheOldWay(h.handle.db, before.keyring);
  expect(formatsOf(await sealedValues(h.handle.db))).toEqual({ v1: count });

  const after = await callerWith(newKey, [oldKey]);
  expect(await resealStaleSecrets(h.handle.db, after.keyring)).toEqual({ resealed: count });
  const values = await sealedValues(h.handle.db);
  expect(formatsOf(values)).toEqual({ v2: count });
  expect([...values.values()].every((sealed) => sealed.startsWith(`v2.${after.keyring.currentKeyId}.`))).toBe(
    true,
  );

  const onlyNew = await callerWith(newKey);
  for (const [i, id] of seeded.tenantIds.entries()) {
    expect((await onlyNew.api.tenants.credentials({ id })).credentials).toEqual(seededTenant(i).credentials);
    expect((await onlyNew.api.tenants.secretFields({ id })).values).toEqual(seededTenant(i).fields);
  }
  expect(await onlyNew.api.connections.credentials({ id: seeded.apiKeyConnection.id })).toMatchObject({
    parameters: { apiKey: "tracker-key-1" },
  });
  expect(
    (await onlyNew.api.accessTokens.introspect({ token: await tokenFor(seeded.signingKey) })).active,
  ).toBe(true);
  expect(await resealStaleSecrets(h.handle.db, onlyNew.keyring)).toEqual({ resealed: 0 });

  // A value that no configured key opens is left alone, and the command says so.
  const forgotten = await createKeyring(new Uint8Array(32).fill(7));
  await expect(resealStaleSecrets(h.handle.db, forgotten)).rejects.toThrow(/opened with neither/);
  expect(await sealedValues(h.handle.db)).toEqual(values);
});

it("seals webhook endpoint secrets, current and previous, under the new key", async () => {
  const oldKey = new Uint8Array(32).fill(8);
  const newKey = new Uint8Array(32).fill(9);
  const callerWith = async (current: Uint8Array, previous: Uint8Array[] = []) => {
    const keyring = await createKeyring(current, previous);
    const api = createCaller(
      createContext({
        db: h.handle.db,
        keyring,
        header: (name) => (name === "x-api-key" ? h.apiKey : undefined),
      }),
    );
    return { keyring, api };
  };
  const before = await callerWith(oldKey);
  const { endpoint, secret: first } = await before.api.webhookEndpoints.create({
    url: "https://hooks.example.com/k",
  });
  const { secret: second } = await before.api.webhookEndpoints.rotateSecret({ id: endpoint.id });

  const after = await callerWith(newKey, [oldKey, new Uint8Array(32).fill(6)]);
  await resealStaleSecrets(h.handle.db, after.keyring);
  const [row] = await h.handle.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
  const onlyNew = await createKeyring(newKey);
  expect(row!.secretSealed.startsWith(`v2.${onlyNew.currentKeyId}.`)).toBe(true);
  expect(await signingSecrets(onlyNew, row!, new Date())).toEqual([second, first]);
});
