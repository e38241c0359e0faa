import { afterAll, beforeAll, expect, it } from "vitest";
import { createContext } from "../context";
import { createCaller } from "../root";
import { createHarness, type Harness } from "../testing/harness";
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
  const { SignJWT, base64url } = await import("jose");
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", kid: hs.id })
    .setSubject("rotated")
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(base64url.decode(hs.secret!));
  expect((await onlyNew.api.accessTokens.introspect({ token })).active).toBe(true);
  expect((await resealStaleSecrets(h.handle.db, onlyNew.keyring)).resealed).toBe(0);
});
