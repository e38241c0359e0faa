import { describe, expect, it } from "vitest";
import { InvalidationCache, readThrough } from "./cache";

function listeningCache(options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}) {
  let fenceAnswer = true;
  const cache = new InvalidationCache(() => Promise.resolve(fenceAnswer), options);
  cache.listeningStarted();
  return { cache, setFence: (answer: boolean) => (fenceAnswer = answer) };
}

describe("the invalidation cache", () => {
  it("serves a hit after the fence, and loads again once its workspace is invalidated", async () => {
    const { cache } = listeningCache();
    let loads = 0;
    const read = () =>
      readThrough(
        cache,
        "k",
        async () => ++loads,
        () => "ws_a",
      );
    expect(await read()).toBe(1);
    expect(await read()).toBe(1);
    cache.invalidate("ws_b");
    expect(await read()).toBe(1);
    cache.invalidate("ws_a");
    expect(await read()).toBe(2);
    cache.invalidate("*");
    expect(await read()).toBe(3);
    expect(cache.stats).toMatchObject({ hits: 2, misses: 3 });
  });

  it("does not let a read that started before an invalidation fill the cache", async () => {
    const { cache } = listeningCache();
    let release!: () => void;
    const slow = readThrough(
      cache,
      "k",
      () => new Promise<string>((resolve) => (release = () => resolve("read before the change"))),
      () => "ws_a",
    );
    // The change commits and its notification arrives while the read is in flight.
    cache.invalidate("ws_a");
    release();
    expect(await slow).toBe("read before the change");
    expect(cache.size).toBe(0);
    expect(
      await readThrough(
        cache,
        "k",
        async () => "fresh",
        () => "ws_a",
      ),
    ).toBe("fresh");
    expect(cache.stats.refusedFills).toBe(1);
  });

  it("caches nothing while not listening, and empties itself when listening is lost", async () => {
    const { cache } = listeningCache();
    await readThrough(
      cache,
      "k",
      async () => "v",
      () => "ws_a",
    );
    expect(cache.size).toBe(1);
    let release!: () => void;
    const inFlight = readThrough(
      cache,
      "other",
      () => new Promise<string>((resolve) => (release = () => resolve("x"))),
      () => "ws_a",
    );
    cache.listeningLost();
    expect(cache.size).toBe(0);
    release();
    await inFlight;
    let loads = 0;
    await readThrough(
      cache,
      "k",
      async () => ++loads,
      () => "ws_a",
    );
    await readThrough(
      cache,
      "k",
      async () => ++loads,
      () => "ws_a",
    );
    expect(loads).toBe(2);
    expect(cache.size).toBe(0);
    cache.listeningStarted();
    await readThrough(
      cache,
      "k",
      async () => ++loads,
      () => "ws_a",
    );
    await readThrough(
      cache,
      "k",
      async () => ++loads,
      () => "ws_a",
    );
    expect(loads).toBe(3);
  });

  it("loads from the database when the fence cannot vouch for the entry", async () => {
    const { cache, setFence } = listeningCache();
    let loads = 0;
    await readThrough(
      cache,
      "k",
      async () => ++loads,
      () => "ws_a",
    );
    setFence(false);
    expect(
      await readThrough(
        cache,
        "k",
        async () => ++loads,
        () => "ws_a",
      ),
    ).toBe(2);
  });

  it("drops an entry invalidated while its hit waited for the fence", async () => {
    let cache!: InvalidationCache;
    cache = new InvalidationCache(async () => {
      // The notification arrives with the fence's answer.
      cache.invalidate("ws_a");
      return true;
    });
    cache.listeningStarted();
    let loads = 0;
    await readThrough(
      cache,
      "k",
      async () => ++loads,
      () => "ws_a",
    );
    expect(
      await readThrough(
        cache,
        "k",
        async () => ++loads,
        () => "ws_a",
      ),
    ).toBe(2);
  });

  it("keeps at most maxEntries, least recently used out first, each for at most ttlMs", async () => {
    let now = 0;
    const { cache } = listeningCache({ maxEntries: 2, ttlMs: 1000, now: () => now });
    const put = (key: string) =>
      readThrough(
        cache,
        key,
        async () => key,
        () => "ws_a",
      );
    await put("a");
    await put("b");
    await put("a");
    await put("c");
    expect(cache.peek("b")).toBeUndefined();
    expect(cache.peek("a")).toEqual({ value: "a" });
    expect(cache.size).toBe(2);
    now = 1000;
    expect(cache.peek("a")).toBeUndefined();
  });

  it("keeps nothing a load says not to keep", async () => {
    const { cache } = listeningCache();
    await readThrough(
      cache,
      "k",
      async () => null,
      () => null,
    );
    expect(cache.size).toBe(0);
  });
});
