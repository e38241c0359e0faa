import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/**
 * Child processes for the checks. Every child starts in its own process group (detached), so a
 * timeout or the end of the run stops it together with whatever it started (pnpm → tsx → node,
 * npm → node, next start → workers), by its own id and nobody else's.
 */
const running = new Set<ChildProcess>();

/**
 * Signals the child's whole group. Safe after the leader has ended: Linux does not reuse a process id
 * while a group still carries it, and an empty group just answers ESRCH.
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Stops every process this run started and has not stopped yet. */
export function stopAll(): void {
  for (const child of running) killGroup(child, "SIGKILL");
  running.clear();
}

process.once("exit", stopAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopAll();
    process.exit(130);
  });
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Killed (the whole group) after this long; the result then says so. */
  timeoutMs: number;
}

export interface RunResult {
  ok: boolean;
  code: number | null;
  /** stdout and stderr, interleaved as they came. */
  output: string;
  ms: number;
  timedOut: boolean;
}

/** Runs a command to its end (or its timeout) and keeps its output. Never throws for a failure. */
export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let output = "";
    let timedOut = false;
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, "SIGKILL");
    }, options.timeoutMs);
    const finish = (code: number | null, extra = "") => {
      clearTimeout(timer);
      running.delete(child);
      // Whatever the command left behind in its group goes with it.
      killGroup(child, "SIGKILL");
      resolve({
        ok: code === 0 && !timedOut,
        code,
        output: output + extra + (timedOut ? `\n(killed after ${options.timeoutMs / 1000} s)` : ""),
        ms: Date.now() - started,
        timedOut,
      });
    };
    child.on("error", (error) => finish(null, `\n${error.message}`));
    child.on("close", (code) => finish(code));
  });
}

export interface Background {
  /** Output so far. */
  output(): string;
  /** Resolves when the process has ended (with its exit code, or null when killed). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts a long-running process (a server); `stop()` ends its group, SIGTERM first. */
export function startBackground(
  command: string,
  args: string[],
  options: Omit<RunOptions, "timeoutMs">,
): Background {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on("error", (error) => {
      output += `\n${error.message}`;
      resolve(null);
    });
    child.on("close", (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  return {
    output: () => output,
    exited,
    async stop() {
      killGroup(child, "SIGTERM");
      const done = await Promise.race([
        exited.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000)),
      ]);
      if (!done) killGroup(child, "SIGKILL");
      // The group may outlive its leader (e.g. pnpm's children); make sure it is gone.
      killGroup(child, "SIGKILL");
      running.delete(child);
    },
  };
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `url` until it answers 2xx, the process ends, or the time is up. */
export async function waitForHttp(
  url: string,
  options: { timeoutMs: number; process?: Background; init?: RequestInit },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let ended = false;
  void options.process?.exited.then(() => {
    ended = true;
  });
  let last = "no answer";
  while (Date.now() < deadline) {
    if (ended) throw new Error(`the process ended before ${url} answered`);
    try {
      const response = await fetch(url, { ...options.init, signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${options.timeoutMs / 1000} s (last: ${last})`);
}

/** The last lines of a long output, for a failure message. */
export function tail(text: string, lines = 40): string {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["…", ...all.slice(-lines)] : all).join("\n");
}

/** Runs tasks with at most `limit` at once, keeping their order in the results. */
export async function pool<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** At most `limit` of the given tasks run at once; the others wait their turn (first come, first served). */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
