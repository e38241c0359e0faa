import { describe, expect, it } from "vitest";
import { createTokenSource, tokenExpiry } from "./token-source.js";

/** An unsigned JWT-shaped token: the client only reads `exp`, the server verifies. */
function jwt(exp: number, tag: string) {
  const encode = (value: object) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${encode({ alg: "HS256" })}.${encode({ exp, tag })}.sig`;
}

describe("the token source", () => {
  it("reads exp from a JWT and null from anything else", () => {
    expect(tokenExpiry(jwt(1_900_000_000, "a"))).toBe(1_900_000_000);
    expect(tokenExpiry("opaque")).toBeNull();
    expect(tokenExpiry("a.%%%.c")).toBeNull();
  });

  it("reuses a token until shortly before exp, then fetches a new one", async () => {
    let now = 1_000_000_000_000;
    let fetched = 0;
    const source = createTokenSource({
      getToken: async () => jwt(now / 1000 + 120, `t${++fetched}`),
      refreshMarginSeconds: 30,
      now: () => now,
    });
    const first = await source.current();
    now += 60_000;
    expect(await source.current()).toBe(first);
    now += 31_000; // 29 s left: inside the margin
    const second = await source.current();
    expect(second).not.toBe(first);
    expect(fetched).toBe(2);
  });

  it("shares one fetch between concurrent callers and refreshes on demand", async () => {
    let fetched = 0;
    const source = createTokenSource({ getToken: async () => jwt(Date.now() / 1000 + 600, `t${++fetched}`) });
    const tokens = await Promise.all([source.current(), source.current(), source.current()]);
    expect(new Set(tokens).size).toBe(1);
    expect(fetched).toBe(1);
    await Promise.all([source.refresh(), source.refresh()]);
    expect(fetched).toBe(2);
  });

  it("a fixed token cannot refresh; no token at all is a setup error", async () => {
    const fixed = createTokenSource({ token: "tok" });
    expect(fixed.canRefresh).toBe(false);
    expect(await fixed.refresh()).toBe("tok");
    expect(() => createTokenSource({})).toThrow(/getToken/);
  });
});
