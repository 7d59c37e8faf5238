import type { TotalsSoFar } from '../store/today';

/**
 * Pure: today's totals so far, as published before the day is rolled up.
 * Only the day's active instances and reports, never a breakdown: with no
 * value to watch, a change of the numbers singles out no report. Counted at
 * most once per `TODAY_REFRESH_MS`, so a report's arrival cannot be timed
 * closer than that; and a count under the threshold is "fewer than" it, as
 * every small count the collector publishes, so that a watcher cannot tell
 * which of a handful of installations has just reported.
 */

/** How long a count of today stands before it is made again. */
export const TODAY_REFRESH_MS = 5 * 60_000;

/** GET /api/v1/today. */
export interface TodayAnswer {
  day: string;
  /** Always true: the day is not over, and its roll-up (with the breakdowns) replaces this. */
  provisional: true;
  /** Distinct instances that reported today so far; null when under the threshold (then `fewerThan`). */
  instances: number | null;
  /** Reports accepted today so far; null with `instances`. */
  reports: number | null;
  fewerThan?: number;
  threshold: number;
  /** When the numbers were counted; they are counted again at the earliest `refreshSeconds` later. */
  countedAt: string;
  refreshSeconds: number;
}

export function publishToday(day: string, totals: TotalsSoFar, threshold: number, countedAt: Date, refreshMs = TODAY_REFRESH_MS): TodayAnswer {
  // 0 says only that nobody reported; from 1 to threshold − 1 it could name the one who did.
  const hidden = totals.instances > 0 && totals.instances < threshold;
  return {
    day,
    provisional: true,
    instances: hidden ? null : totals.instances,
    reports: hidden ? null : totals.reports,
    ...(hidden ? { fewerThan: threshold } : {}),
    threshold,
    countedAt: countedAt.toISOString(),
    refreshSeconds: refreshMs / 1000,
  };
}

/**
 * One value per key (the day), made again once `periodMs` has passed on the
 * given clock or the key changes; requests in between share it. A failure is
 * not kept: the next request tries again.
 */
export class Periodic<T> {
  private entry: { key: string; at: number; value: Promise<T> } | undefined;

  constructor(
    private readonly periodMs: number,
    private readonly now: () => Date,
  ) {}

  /** The value, and the milliseconds it still stands. */
  get(key: string, make: () => Promise<T>): { value: Promise<T>; remainingMs: number } {
    const now = this.now().getTime();
    if (!this.entry || this.entry.key !== key || now - this.entry.at >= this.periodMs || now < this.entry.at) {
      const entry = { key, at: now, value: make() };
      this.entry = entry;
      entry.value.catch(() => {
        if (this.entry === entry) this.entry = undefined;
      });
    }
    return { value: this.entry.value, remainingMs: this.periodMs - (now - this.entry.at) };
  }
}
