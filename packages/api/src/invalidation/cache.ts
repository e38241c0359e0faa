/**
 * A per-process cache of what authentication and authorization read, kept fresh by the database's
 * notifications (`invalidation/listener.ts`). Entries are filed under their workspace; a
 * notification for a workspace drops all of them. The rules that keep it from ever serving stale data:
 *
 * - Nothing is read or filled while not listening (before LISTEN is in effect, and from the moment
 *   the listening connection is lost until it is back, which empties the cache).
 * - A read that started before an invalidation does not fill: `ticket()` is the generation when the
 *   read began, and `fill` refuses once any notification (or loss) has moved it on.
 * - A hit is served only after `fence()`: every notification committed before the request is in.
 * - Bounded (least recently used out first) and with a TTL as a safety net.
 */
export interface CacheOptions {
  maxEntries?: number;
  ttlMs?: number;
  /** Milliseconds, monotonic; tests pass their own. */
  now?: () => number;
}

interface Entry {
  workspaceId: string;
  value: unknown;
  expiresAt: number;
}

export class InvalidationCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private listening = false;
  /** Fences asked for so far; each is numbered when asked, and its round trip starts after that. */
  private fencesAsked = 0;
  /** The number of the latest fence that answered on the current listening connection; -1: none. */
  private latestFence = -1;
  /** Times the listening connection was lost: a fence from before a loss vouches for nothing. */
  private losses = 0;
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  /** Counters for tests and benchmarks. */
  readonly stats = { hits: 0, misses: 0, refusedFills: 0, invalidations: 0, fences: 0 };

  constructor(
    private readonly fenceFn: () => Promise<boolean>,
    options: CacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = options.ttlMs ?? 30_000;
    this.now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.entries.size;
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** The generation a read starts at, or null when nothing may be cached now. */
  ticket(): number | null {
    return this.listening ? this.generation : null;
  }

  /** An entry present now (not yet fenced); undefined when absent, expired or not listening. */
  peek(key: string): { value: unknown } | undefined {
    if (!this.listening) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last: the Map's first key is the one to drop.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { value: entry.value };
  }

  fill(ticket: number | null, key: string, workspaceId: string, value: unknown): void {
    if (ticket === null || ticket !== this.generation || !this.listening) {
      this.stats.refusedFills++;
      return;
    }
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { workspaceId, value, expiresAt: this.now() + this.ttlMs });
  }

  /**
   * Where a procedure call starts: a fence numbered above this began after the call did, so it
   * has brought in every notification committed before the call (`fence(since)`).
   */
  position(): number {
    return this.fencesAsked;
  }

  /**
   * Resolves once every notification committed before now is in (false: unknown, read the
   * database). With `since` (a call's `position()`), a fence that began after the call and has
   * answered is enough: the call's second and third cached reads do not wait for another.
   */
  fence(since?: number): Promise<boolean> {
    if (since !== undefined && this.listening && this.latestFence > since) return Promise.resolve(true);
    const number = ++this.fencesAsked;
    this.stats.fences++;
    const losses = this.losses;
    return this.fenceFn().then((answered) => {
      if (answered && losses === this.losses && number > this.latestFence) this.latestFence = number;
      return answered;
    });
  }

  /** A workspace's entries go (`*`: all of them); reads in flight will not fill. */
  invalidate(workspaceId: string): void {
    this.generation++;
    this.stats.invalidations++;
    if (workspaceId === "*") {
      this.entries.clear();
      return;
    }
    for (const [key, entry] of this.entries) {
      if (entry.workspaceId === workspaceId) this.entries.delete(key);
    }
  }

  listeningStarted(): void {
    this.generation++;
    this.entries.clear();
    this.listening = true;
  }

  listeningLost(): void {
    this.listening = false;
    this.losses++;
    this.latestFence = -1;
    this.generation++;
    this.entries.clear();
  }
}

/**
 * Reads `key` through the cache: a hit (after the fence) or `load()`, whose answer is kept when
 * `workspaceOf` names its workspace (null: do not keep, e.g. a missing row). Without a cache: `load()`.
 * Cached values are shared by every request that hits them: treat them as read-only.
 */
export async function readThrough<T>(
  cache: InvalidationCache | null,
  key: string,
  load: () => Promise<T>,
  workspaceOf: (value: T) => string | null,
  /** The calling procedure's `position()` when it began (see `fence`); none: fence anew. */
  since?: number,
): Promise<T> {
  if (!cache) return load();
  if (cache.peek(key) && (await cache.fence(since))) {
    // Looked up again: the fence may have brought the notification that dropped it.
    const fenced = cache.peek(key);
    if (fenced) {
      cache.stats.hits++;
      return fenced.value as T;
    }
  }
  cache.stats.misses++;
  const ticket = cache.ticket();
  const value = await load();
  const workspaceId = workspaceOf(value);
  if (workspaceId !== null) cache.fill(ticket, key, workspaceId, value);
  return value;
}
