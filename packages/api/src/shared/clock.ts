/**
 * Where time decides (refresh windows, invitation expiry, usage windows, sessions), services ask the
 * clock in their context instead of `Date.now()`: tests move a test clock instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests set and advance by hand. */
export interface TestClock extends Clock {
  set(at: Date | string | number): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string | number = "2026-01-01T00:00:00.000Z"): TestClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
