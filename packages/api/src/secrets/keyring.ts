import { base64url, fromBase64url } from "../shared/crypto";

/**
 * AES-256-GCM under keys the operator provides (`TENANTRY_ENCRYPTION_KEY`, older ones kept in
 * `TENANTRY_PREVIOUS_ENCRYPTION_KEYS` while rows are re-encrypted). Web Crypto only, so the same code
 * runs in Node and in a browser.
 *
 * Sealed format: `v2.{keyId}.{iv}.{ciphertext+tag}` (base64url parts). The key id names which key
 * sealed it, so old rows still open after a rotation. The associated data binds a ciphertext to its
 * workspace, row and purpose (e.g. `workspace:{id}:tenant:{id}:credentials`): moved to another row,
 * or to the row with the same id in another workspace, it no longer opens.
 *
 * `v1` values were sealed before the associated data named the workspace; they open only with the
 * legacy associated data (`tenant:{id}:credentials`) until the data migration seals them again
 * (secrets/workspace-aad.ts), and count as stale so `tenantry rotate-keys` seals them again too.
 */
export interface Keyring {
  currentKeyId: string;
  seal(plaintext: string, associatedData: AssociatedDataInput): Promise<string>;
  open(sealed: string, associatedData: AssociatedDataInput): Promise<string>;
  /** Whether a sealed value was made with an older key, or in the legacy format, and should be sealed again. */
  isStale(sealed: string): boolean;
}

/**
 * What a sealed value is bound to: `current` for everything sealed now (it names the workspace),
 * `legacy` for reading `v1` values sealed before it did.
 */
export interface AssociatedData {
  current: string;
  legacy: string;
}

/** A plain string is associated data that never changed form (the same for `v1` and `v2`). */
export type AssociatedDataInput = AssociatedData | string;

/** The format every value is sealed in now. */
export const SEALED_FORMAT = "v2";
/** Sealed before the associated data named the workspace. */
export const LEGACY_FORMAT = "v1";

/**
 * Associated data of a workspace-owned row: the legacy form (`tenant:{id}:credentials`) prefixed
 * with the workspace, since row ids are unique only within their workspace.
 */
export function workspaceAad(workspaceId: string, legacy: string): AssociatedData {
  return { current: `workspace:${workspaceId}:${legacy}`, legacy };
}

/** Whether a value was sealed in the legacy format, with associated data that does not name its workspace. */
export function isLegacySealed(sealed: string): boolean {
  return sealed.startsWith(`${LEGACY_FORMAT}.`);
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptionError";
  }
}

const currentOf = (aad: AssociatedDataInput) => (typeof aad === "string" ? aad : aad.current);
const legacyOf = (aad: AssociatedDataInput) => (typeof aad === "string" ? aad : aad.legacy);

const KEY_BYTES = 32;
const IV_BYTES = 12;

/** Accepts 32 bytes as base64, base64url or hex. */
export function parseKeyMaterial(text: string): Uint8Array {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    return Uint8Array.from(trimmed.match(/../g)!, (pair) => Number.parseInt(pair, 16));
  }
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = fromBase64url(trimmed.replace(/=$/, "").replace(/\+/g, "-").replace(/\//g, "_"));
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new Error("must be 32 random bytes, as 64 hex characters or 44 base64 characters");
}

/** A short, stable id for a key: the first 8 bytes of its SHA-256, never the key itself. */
async function keyIdOf(material: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", material as BufferSource);
  return base64url(new Uint8Array(digest).slice(0, 8));
}

export async function createKeyring(current: Uint8Array, previous: Uint8Array[] = []): Promise<Keyring> {
  const keys = new Map<string, CryptoKey>();
  const importKey = (material: Uint8Array) =>
    globalThis.crypto.subtle.importKey("raw", material as BufferSource, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
  const currentKeyId = await keyIdOf(current);
  keys.set(currentKeyId, await importKey(current));
  for (const material of previous) {
    const id = await keyIdOf(material);
    if (!keys.has(id)) keys.set(id, await importKey(material));
  }
  const encoder = new TextEncoder();

  return {
    currentKeyId,
    async seal(plaintext, associatedData) {
      const iv = new Uint8Array(IV_BYTES);
      globalThis.crypto.getRandomValues(iv);
      const ciphertext = await globalThis.crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(currentOf(associatedData)) },
        keys.get(currentKeyId)!,
        encoder.encode(plaintext),
      );
      return `${SEALED_FORMAT}.${currentKeyId}.${base64url(iv)}.${base64url(new Uint8Array(ciphertext))}`;
    },
    async open(sealed, associatedData) {
      const [version, keyId, iv, ciphertext] = sealed.split(".");
      if ((version !== SEALED_FORMAT && version !== LEGACY_FORMAT) || !keyId || !iv || !ciphertext)
        throw new DecryptionError("not a sealed value");
      // The format says which form of the associated data the value was sealed with; relabelling a
      // value makes it open with the other form, which fails.
      const aad = version === SEALED_FORMAT ? currentOf(associatedData) : legacyOf(associatedData);
      const key = keys.get(keyId);
      if (!key) {
        throw new DecryptionError(
          `sealed with key ${keyId}, which is neither TENANTRY_ENCRYPTION_KEY nor one of TENANTRY_PREVIOUS_ENCRYPTION_KEYS`,
        );
      }
      try {
        const plaintext = await globalThis.crypto.subtle.decrypt(
          {
            name: "AES-GCM",
            iv: fromBase64url(iv) as BufferSource,
            additionalData: encoder.encode(aad),
          },
          key,
          fromBase64url(ciphertext) as BufferSource,
        );
        return new TextDecoder().decode(plaintext);
      } catch {
        throw new DecryptionError("the value does not open: wrong key, altered, or moved from another row");
      }
    },
    isStale(sealed) {
      return isLegacySealed(sealed) || sealed.split(".")[1] !== currentKeyId;
    },
  };
}

/** For tests and development: a keyring on fresh random keys. */
export async function randomKeyring(): Promise<Keyring> {
  const material = new Uint8Array(KEY_BYTES);
  globalThis.crypto.getRandomValues(material);
  return createKeyring(material);
}
