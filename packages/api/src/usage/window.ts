/** The rolling 30-day window, counted in whole UTC hours. Pure arithmetic: no database, no clock. */

export const HOUR_MS = 3_600_000;
export const WINDOW_MS = 30 * 24 * HOUR_MS;

export const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** The UTC day refusals are counted under: `2026-01-31`. */
export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The window counts buckets with hour > now - 30 days (boundary precision: one hour). The first
 * counted bucket is therefore the hour after the one that contains now - 30 days.
 */
export function windowOf(now: Date): { start: Date; end: Date } {
  return { start: new Date(floorHour(now.getTime() - WINDOW_MS) + HOUR_MS), end: now };
}
