import { describe, expect, it } from "vitest";
import { sha256Hex } from "./crypto";

/** What the browser path computes: Web Crypto over the text's UTF-8 bytes. */
async function webCryptoSha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("sha256Hex", () => {
  it("hashes under Node exactly as Web Crypto does, whatever the text", async () => {
    const texts = [
      "",
      "abc",
      `tnt_sk_${"a".repeat(40)}`,
      "é ünïcödé 🙂",
      "lone \ud800 surrogate",
      "x".repeat(10_000),
    ];
    for (const text of texts) expect(await sha256Hex(text)).toBe(await webCryptoSha256Hex(text));
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
