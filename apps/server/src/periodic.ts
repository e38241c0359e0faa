/** A background task of a server process, stopped before the database closes. */
export interface PeriodicTask {
  /** No new pass starts; resolves once the pass in flight has finished, so its writes are recorded. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` on a timer, one pass at a time, in every server process (each task makes that safe
 * across processes with its own locks). A pass answers how long to wait before the next one; a
 * failed pass is reported and the next one waits `retryMs`.
 */
export function startPeriodic(options: {
  firstDelayMs: number;
  retryMs: number;
  pass: () => Promise<number>;
  onError: (error: unknown) => void;
}): PeriodicTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    let nextMs = options.retryMs;
    running = options
      .pass()
      .then((delayMs) => {
        nextMs = delayMs;
      })
      .catch(options.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, nextMs).unref();
      });
  };
  timer = setTimeout(tick, options.firstDelayMs).unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
