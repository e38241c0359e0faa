import { describe, expect, it } from "vitest";
import {
  createKeyring,
  DecryptionError,
  isLegacySealed,
  parseKeyMaterial,
  randomKeyring,
  workspaceAad,
} from "./keyring";

const bytes = (fill: number) => new Uint8Array(32).fill(fill);

describe("keyring", () => {
  it("opens what it sealed, with a fresh nonce each time", async () => {
    const keyring = await randomKeyring();
    const a = await keyring.seal("s3cret", "tenant:1:credentials");
    const b = await keyring.seal("s3cret", "tenant:1:credentials");
    expect(a).not.toBe(b);
    expect(a).not.toContain("s3cret");
    expect(await keyring.open(a, "tenant:1:credentials")).toBe("s3cret");
    expect(a.startsWith(`v2.${keyring.currentKeyId}.`)).toBe(true);
  });

  it("refuses a value moved to another row (other associated data) or altered", async () => {
    const keyring = await randomKeyring();
    const sealed = await keyring.seal("s3cret", "tenant:1:credentials");
    await expect(keyring.open(sealed, "tenant:2:credentials")).rejects.toBeInstanceOf(DecryptionError);
    const parts = sealed.split(".");
    const flipped = parts[3]!.startsWith("A") ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    await expect(
      keyring.open([...parts.slice(0, 3), flipped].join("."), "tenant:1:credentials"),
    ).rejects.toBeInstanceOf(DecryptionError);
    await expect(keyring.open("garbage", "x")).rejects.toBeInstanceOf(DecryptionError);
  });

  it("opens values sealed under a previous key after rotation, and says they are stale", async () => {
    const old = await createKeyring(bytes(1));
    const sealed = await old.seal("kept", "aad");
    const rotated = await createKeyring(bytes(2), [bytes(1)]);
    expect(rotated.currentKeyId).not.toBe(old.currentKeyId);
    expect(await rotated.open(sealed, "aad")).toBe("kept");
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(await rotated.seal("new", "aad"))).toBe(false);
    const forgotten = await createKeyring(bytes(2));
    await expect(forgotten.open(sealed, "aad")).rejects.toThrow(/neither TENANTRY_ENCRYPTION_KEY/);
  });

  it("binds values to their workspace, and opens legacy (v1) values only with the legacy associated data", async () => {
    const keyring = await randomKeyring();
    const aad = workspaceAad("ws_a", "tenant:t1:credentials");
    expect(aad).toEqual({ current: "workspace:ws_a:tenant:t1:credentials", legacy: "tenant:t1:credentials" });
    const sealed = await keyring.seal("s3cret", aad);
    expect(await keyring.open(sealed, aad)).toBe("s3cret");
    // The same row id in another workspace does not open it.
    await expect(keyring.open(sealed, workspaceAad("ws_b", "tenant:t1:credentials"))).rejects.toBeInstanceOf(
      DecryptionError,
    );
    expect(isLegacySealed(sealed)).toBe(false);
    expect(keyring.isStale(sealed)).toBe(false);

    // A value as it was sealed before the workspace was named: format v1, the legacy associated data.
    const legacy = (await keyring.seal("old", "tenant:t1:credentials")).replace(/^v2\./, "v1.");
    expect(isLegacySealed(legacy)).toBe(true);
    expect(keyring.isStale(legacy)).toBe(true);
    expect(await keyring.open(legacy, aad)).toBe("old");
    // Relabelling either way makes a value open with the other form, which fails.
    await expect(keyring.open(sealed.replace(/^v2\./, "v1."), aad)).rejects.toBeInstanceOf(DecryptionError);
    await expect(keyring.open(legacy.replace(/^v1\./, "v2."), aad)).rejects.toBeInstanceOf(DecryptionError);
    await expect(keyring.open(sealed.replace(/^v2\./, "v3."), aad)).rejects.toThrow(/not a sealed value/);
  });

  it("reads 32-byte keys as hex or base64 and refuses anything else", () => {
    expect(parseKeyMaterial("ab".repeat(32))).toHaveLength(32);
    expect(parseKeyMaterial(Buffer.alloc(32, 7).toString("base64"))).toHaveLength(32);
    expect(parseKeyMaterial(Buffer.alloc(32, 7).toString("base64url"))).toHaveLength(32);
    expect(() => parseKeyMaterial("short")).toThrow(/32 random bytes/);
    expect(() => parseKeyMaterial(Buffer.alloc(16).toString("base64"))).toThrow();
  });
});
