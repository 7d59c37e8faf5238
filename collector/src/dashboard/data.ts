import semver from 'semver';
import { COUNTRY, DIMENSIONS, OTHER, publish, UsageCount } from '../rollup/rules';
import { addDays } from '../days';
import type { DayUsage } from '../store/store';

/**
 * Pure: what the public dashboard and /api/v1 answer, computed from daily
 * roll-ups only. The threshold is applied to each day's exact values first;
 * grouping and "top N" work on what is already published, so no view can be
 * subtracted from another to reveal a count under the threshold.
 */

/** The ranges offered: the last 30, 90 or 365 aggregated days, or every one. */
export const RANGES = ['30', '90', '365', 'all'] as const;
export type RangeName = (typeof RANGES)[number];

/** How version values are grouped: as reported, by major.minor, or by major. */
export const GROUPINGS = ['exact', 'minor', 'major'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** The dimensions this collector counts itself, in the order the page shows them. */
export const KNOWN_DIMENSIONS: readonly string[] = [...DIMENSIONS, COUNTRY];

/** Titles of the dimensions this collector knows; any other dimension is shown under its own name. */
export const TITLES: Record<string, string> = {
  'node-red': 'Node-RED version',
  nodejs: 'Node.js version',
  os: 'Operating system',
  arch: 'Architecture',
  client: 'Reporting client',
  country: 'Country',
};

/** The grouping the page uses for a dimension: Node-RED by minor, Node.js by major, the rest as is. */
export function defaultGrouping(dimension: string): Grouping {
  if (dimension === 'node-red') return 'minor';
  if (dimension === 'nodejs') return 'major';
  return 'exact';
}

export function titleOf(dimension: string): string {
  return TITLES[dimension] ?? dimension;
}

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

/** Each day with values under the threshold merged into "other": the only form anything below reads. */
export function publishDays(days: readonly DayUsage[], threshold: number): DayUsage[] {
  return days.map((d) => ({ ...d, counts: publish(d.counts, threshold) }));
}

/**
 * One day's published counts of a dimension, grouped, summed per group.
 * Summing counts distinct instances per exact value, so an instance that
 * upgraded 4.1.1 → 4.1.2 during a day counts twice under "4.1" that day.
 */
export function groupedCounts(counts: readonly UsageCount[], dimension: string, grouping: Grouping): Map<string, number> {
  const result = new Map<string, number>();
  for (const c of counts) {
    if (c.dimension !== dimension) continue;
    const key = groupValue(c.value, grouping);
    result.set(key, (result.get(key) ?? 0) + c.instances);
  }
  return result;
}

/** Dimensions found in the data, known ones first in their order, then the others by name. */
export function orderDimensions(names: Iterable<string>): string[] {
  const found = new Set(names);
  const known = KNOWN_DIMENSIONS.filter((d) => found.has(d));
  const others = [...found].filter((d) => !KNOWN_DIMENSIONS.includes(d)).sort();
  return [...known, ...others];
}

/** One line of a chart: a value, and its instances on each day (null: the dimension was not counted that day). */
export interface Series {
  value: string;
  instances: Array<number | null>;
}

export interface SeriesAnswer {
  days: string[];
  series: Series[];
}

/**
 * The `top` values with the most instance-days over the range, one line
 * each; everything else summed into "other", which comes last.
 */
export function seriesOf(days: readonly DayUsage[], dimension: string, grouping: Grouping, top: number): SeriesAnswer {
  const perDay = days.map((d) => groupedCounts(d.counts, dimension, grouping));
  const totals = new Map<string, number>();
  for (const counts of perDay) for (const [value, n] of counts) totals.set(value, (totals.get(value) ?? 0) + n);
  const ranked = [...totals.entries()]
    .filter(([value]) => value !== OTHER)
    .sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))
    .map(([value]) => value);
  const shown = ranked.slice(0, top);
  const rest = new Set(ranked.slice(top));
  const needsOther = totals.has(OTHER) || rest.size > 0;
  const series: Series[] = shown.map((value) => ({
    value,
    instances: perDay.map((counts) => (counts.size === 0 ? null : counts.get(value) ?? 0)),
  }));
  if (needsOther) {
    series.push({
      value: OTHER,
      instances: perDay.map((counts) => {
        if (counts.size === 0) return null;
        let sum = 0;
        for (const [value, n] of counts) if (value === OTHER || rest.has(value)) sum += n;
        return sum;
      }),
    });
  }
  return { days: days.map((d) => d.day), series };
}

/** One value's part of a day. `share` is of the dimension's summed counts, so the shares add up to 1. */
export interface Share {
  value: string;
  instances: number;
  share: number;
}

/** A dimension's published values on one day, most instances first, "other" last. */
export function breakdownOf(day: DayUsage, dimension: string, grouping: Grouping): { total: number; values: Share[] } {
  const counts = groupedCounts(day.counts, dimension, grouping);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const values = [...counts.entries()]
    .sort((a, b) => Number(a[0] === OTHER) - Number(b[0] === OTHER) || b[1] - a[1] || compareText(a[0], b[0]))
    .map(([value, instances]) => ({ value, instances, share: total === 0 ? 0 : Math.round((instances / total) * 10_000) / 10_000 }));
  return { total, values };
}

/** Code-point order, the same in every locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
