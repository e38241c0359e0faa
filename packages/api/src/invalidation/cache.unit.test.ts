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

  it("lets one call's cached reads share a fence that began after the call, and no other", async () => {
    const answers: Array<(answered: boolean) => void> = [];
    const cache = new InvalidationCache(() => new Promise<boolean>((resolve) => answers.push(resolve)));
    cache.listeningStarted();
    const answerNext = () => answers.shift()!(true);

    // A fence asked before the call began does not vouch for it, even if it answers afterwards.
    const early = cache.fence();
    const since = cache.position();
    answerNext();
    expect(await early).toBe(true);
    let shared = false;
    const first = cache.fence(since).then((answered) => (shared = answered));
    expect(answers).toHaveLength(1);
    answerNext();
    await first;
    expect(shared).toBe(true);

    // The call's next read: the fence it already waited for is enough, no round trip.
    expect(await cache.fence(since)).toBe(true);
    expect(answers).toHaveLength(0);

    // A call that began after that fence needs one of its own.
    const later = cache.position();
    const own = cache.fence(later);
    expect(answers).toHaveLength(1);
    answerNext();
    expect(await own).toBe(true);

    // A lost connection vouches for nothing: the next read fences again, and one that fails is not kept.
    cache.listeningLost();
    cache.listeningStarted();
    const afterLoss = cache.fence(since);
    expect(answers).toHaveLength(1);
    answers.shift()!(false);
    expect(await afterLoss).toBe(false);
    const retry = cache.fence(since);
    expect(answers).toHaveLength(1);
    answerNext();
    expect(await retry).toBe(true);
  });
});
