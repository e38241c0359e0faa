import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createKeyring, type Keyring, parseKeyMaterial } from "@tenantry/api/server-runtime";

/**
 * The keyring for sealing secrets. In development, without TENANTRY_ENCRYPTION_KEY, a key is
 * generated once into the data directory (mode 0600) so restarts can still open what was sealed.
 * Production requires the variable (enforced by the config).
 */
export async function loadKeyring(options: {
  encryptionKey: Uint8Array | undefined;
  previousEncryptionKeys: Uint8Array[];
  dataDir: string;
}): Promise<{ keyring: Keyring; generatedAt: string | null }> {
  if (options.encryptionKey) {
    return {
      keyring: await createKeyring(options.encryptionKey, options.previousEncryptionKeys),
      generatedAt: null,
    };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const path = join(options.dataDir, "encryption.key");
  let generatedAt: string | null = null;
  if (!existsSync(path)) {
    // `wx` so that two processes starting at once cannot both write a different key.
    try {
      writeFileSync(path, `${randomBytes(32).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
      chmodSync(path, 0o600);
      generatedAt = path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const material = parseKeyMaterial(readFileSync(path, "utf8"));
  return { keyring: await createKeyring(material, options.previousEncryptionKeys), generatedAt };
}
