/** Pure calendar arithmetic on UTC days written 'YYYY-MM-DD'. */

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day a moment falls on. */
export function dayOf(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/** The day `n` days after `day` (negative: before). */
export function addDays(day: string, n: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

/** True for a real calendar day such as '2026-02-28', false for '2026-02-30' or 'yesterday'. */
export function isDay(value: string): boolean {
  return DAY_PATTERN.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && addDays(value, 0) === value;
}

/** The fixed window of `windowMs` that `moment` falls in, as ISO start and end. */
export function windowOf(moment: Date, windowMs: number): { start: string; end: string } {
  const start = Math.floor(moment.getTime() / windowMs) * windowMs;
  return { start: new Date(start).toISOString(), end: new Date(start + windowMs).toISOString() };
}

/** Whole seconds from `moment` until `end`, at least 1: a Retry-After value. */
export function secondsUntil(moment: Date, end: string): number {
  return Math.max(1, Math.ceil((Date.parse(end) - moment.getTime()) / 1000));
}
