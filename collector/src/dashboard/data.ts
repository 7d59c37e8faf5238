import semver from 'semver';
import { OTHER, publish, PublishedCount } from '../rollup/rules';
import { addDays } from '../days';
import type { DayUsage } from '../store/store';
import { compareText, Grouping, valueOrder } from './dimensions';

// Read with the answers that carry it.
export type { Grouping } from './dimensions';

/**
 * Pure: what the public dashboard and /api/v1 answer, computed from daily
 * roll-ups only. The threshold is applied to each day's exact values first
 * (rules.ts `publish`: rare values into "other", an "other" under the
 * threshold never a number); grouping and "top N" work on what is already
 * published, so no view can be subtracted from another to reveal a count
 * under the threshold.
 */

/** The ranges offered: the last 30, 90 or 365 aggregated days, or every one. */
export const RANGES = ['30', '90', '365', 'all'] as const;
export type RangeName = (typeof RANGES)[number];

/** The first and last day of a range ending on the last aggregated day. */
export function rangeBounds(range: RangeName, first: string, last: string): { from: string; to: string } {
  if (range === 'all') return { from: first, to: last };
  const from = addDays(last, -(Number(range) - 1));
  return { from: from < first ? first : from, to: last };
}

/** "4.1.15" by minor is "4.1", by major "4"; "other", "invalid" and anything not semver stay as they are. */
export function groupValue(value: string, grouping: Grouping): string {
  if (grouping === 'exact') return value;
  const parsed = semver.parse(value);
  if (!parsed) return value;
  return grouping === 'minor' ? `${parsed.major}.${parsed.minor}` : String(parsed.major);
}

/** A day as published: its totals, and its counts with the threshold applied. */
export interface PublishedDay extends Omit<DayUsage, 'counts'> {
  counts: PublishedCount[];
}

/** Each day with the threshold applied (rules.ts `publish`): the only form anything below reads. */
export function publishDays(days: readonly DayUsage[], threshold: number): PublishedDay[] {
  return days.map((d) => ({ ...d, counts: publish(d.counts, threshold) }));
}

/** One day's published counts of a dimension, by group; `fewerThan` when its "other" is hidden ("fewer than N"). */
export interface GroupedCounts {
  counts: Map<string, number>;
  fewerThan: number | null;
}

/**
 * One day's published counts of a dimension, grouped, summed per group. Each
 * instance counts under one exact value of a day (its last), so a group's
 * count is of distinct instances too. A hidden "other" stays hidden.
 */
export function groupedCounts(counts: readonly PublishedCount[], dimension: string, grouping: Grouping): GroupedCounts {
  const result = new Map<string, number>();
  let fewerThan: number | null = null;
  for (const c of counts) {
    if (c.dimension !== dimension) continue;
    if (c.instances === null) {
      fewerThan = c.fewerThan ?? null;
      continue;
    }
    const key = groupValue(c.value, grouping);
    result.set(key, (result.get(key) ?? 0) + c.instances);
  }
  return { counts: result, fewerThan };
}

/**
 * One line of a chart: a value, and its instances on each day (null: the
 * dimension was not counted that day). Only on "other", `fewerThan[i]` = N
 * says that, besides `instances[i]` (null: none), from 1 to N − 1 more
 * instances had values too rare to publish that day: that count is not
 * published.
 */
export interface Series {
  value: string;
  instances: Array<number | null>;
  fewerThan?: Array<number | null>;
}

export interface SeriesAnswer {
  days: string[];
  series: Series[];
}

/**
 * The `top` values with the most instance-days over the range, one line
 * each; everything else summed into "other", which comes last. A value's line
 * is 0 on a day it was not published on its own (it is in "other" then).
 */
export function seriesOf(days: readonly PublishedDay[], dimension: string, grouping: Grouping, top: number): SeriesAnswer {
  const perDay = days.map((d) => groupedCounts(d.counts, dimension, grouping));
  const counted = (day: GroupedCounts) => day.counts.size > 0 || day.fewerThan !== null;
  const totals = new Map<string, number>();
  for (const { counts } of perDay) for (const [value, n] of counts) totals.set(value, (totals.get(value) ?? 0) + n);
  const ranked = [...totals.entries()]
    .filter(([value]) => value !== OTHER)
    .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))
    .map(([value]) => value);
  const shown = ranked.slice(0, top);
  const rest = new Set(ranked.slice(top));
  const hidden = perDay.some((day) => day.fewerThan !== null);
  const series: Series[] = shown.map((value) => ({
    value,
    instances: perDay.map((day) => (counted(day) ? day.counts.get(value) ?? 0 : null)),
  }));
  if (totals.has(OTHER) || rest.size > 0 || hidden) {
    const other: Series = {
      value: OTHER,
      instances: perDay.map((day) => {
        if (!counted(day)) return null;
        let sum = 0;
        for (const [value, n] of day.counts) if (value === OTHER || rest.has(value)) sum += n;
        return sum === 0 && day.fewerThan !== null ? null : sum;
      }),
    };
    if (hidden) other.fewerThan = perDay.map((day) => day.fewerThan);
    series.push(other);
  }
  return { days: days.map((d) => d.day), series };
}

/**
 * One value's part of a day. `share` is of the numbers the panel publishes,
 * so the shares add up to 1. An "other" under the threshold has neither a
 * count nor a share: `instances` and `share` are null, `fewerThan` the
 * threshold.
 */
export interface Share {
  value: string;
  instances: number | null;
  share: number | null;
  fewerThan?: number;
}

/** A dimension's published values on one day, in its order (dimensions.ts `valueOrder`), "other" last. */
export function breakdownOf(day: PublishedDay, dimension: string, grouping: Grouping): { total: number; values: Share[] } {
  const { counts, fewerThan } = groupedCounts(day.counts, dimension, grouping);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const values: Share[] = [...counts.entries()]
    .map(([value, instances]) => ({ value, instances }))
    .sort(valueOrder(dimension))
    .map(({ value, instances }) => ({ value, instances, share: total === 0 ? 0 : Math.round((instances / total) * 10_000) / 10_000 }));
  if (fewerThan !== null) values.push({ value: OTHER, instances: null, share: null, fewerThan });
  return { total, values };
}
