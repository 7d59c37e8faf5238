import type { InsightReport } from '@node-red-telemetry/protocol';
import { instanceInsight, ONCE_PER_INSTANCE_INSIGHTS } from './insight-values';
import type { EnvironmentValues } from '../store/report-encoding';
import type { DaySum, RollUp, UsageCount } from '../store/rollup-writes';

/**
 * Pure roll-up and publication rules: plain rows in, plain counts out, so every
 * rule is tested without a database.
 */

// The counts are what the store keeps of a day: their shapes are the store's, named here too for the rules' users.
export type { DaySum, RollUp, UsageCount };

/** What the roll-up reads of one raw report. */
export interface UsageRow extends EnvironmentValues {
  instanceId: string;
}

/** A row with what only some reports carry. */
export interface CountedRow extends UsageRow {
  /** The report's opt-in groups, when it had any. */
  insights?: InsightReport | null;
}

/** The dimensions a day is counted by, in the order the dashboard shows them. */
export const DIMENSIONS = ['node-red', 'nodejs', 'os', 'arch', 'client'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Counted only for reports that carry it: those received while the country lookup was on. */
export const COUNTRY = 'country';

/** The value published in place of every value seen by fewer instances than the threshold. */
export const OTHER = 'other';

const FIELD: Record<Dimension, Exclude<keyof EnvironmentValues, 'country'>> = {
  'node-red': 'nodeRed',
  nodejs: 'nodejs',
  os: 'osType',
  arch: 'arch',
  client: 'client',
};

/** The (dimension, value) pairs one environment is counted under; country only when it was looked up. */
function baseValues(env: EnvironmentValues): Array<[string, string]> {
  const values = DIMENSIONS.map((dimension): [string, string] => [dimension, env[FIELD[dimension]]]);
  if (env.country !== undefined && env.country !== null) values.push([COUNTRY, env.country]);
  return values;
}

/**
 * Counts one day in parts, so that what it holds grows with the number of
 * distinct values, not with the number of instances: countDay hands it
 * per-environment totals the database counted itself, and only the few
 * instances that need more one at a time.
 *
 * An instance counts once in each dimension, under the value of its last
 * report of the day (by time received): one that upgraded during the day
 * counts under the version it ended the day on, so that every dimension's
 * counts add up to the day's active instances and no view can tell how many
 * changed. A dimension that last report does not carry (country, while the
 * lookup is off) is not counted for that instance.
 */
export class DayCounter {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly sums = new Map<string, number>();
  private instances = 0;
  private reports = 0;

  /** `instances` instances whose last report of the day came from `env`, in `reports` reports in all. */
  addEnvironment(env: EnvironmentValues, instances: number, reports: number): void {
    this.instances += instances;
    this.reports += reports;
    for (const [dimension, value] of baseValues(env)) this.add(dimension, value, instances);
  }

  /** The opt-in groups of one instance's reports of the day, oldest first. */
  addInsights(insights: readonly InsightReport[]): void {
    if (insights.length === 0) return;
    const { values, sums } = instanceInsight(insights);
    this.addOnce(values);
    for (const [metric, amount] of sums) this.sums.set(metric, (this.sums.get(metric) ?? 0) + amount);
  }

  result(): RollUp {
    const counts: UsageCount[] = [];
    for (const [dimension, values] of this.counts) for (const [value, instances] of values) counts.push({ dimension, value, instances });
    const sums = [...this.sums].map(([metric, total]) => ({ metric, total })).sort((a, b) => (a.metric < b.metric ? -1 : 1));
    return { instances: this.instances, reports: this.reports, counts: sortCounts(counts), sums };
  }

  /** One instance's values: each distinct one counted once. */
  private addOnce(values: ReadonlyArray<readonly [string, string]>): void {
    const seen = new Set<string>();
    for (const [dimension, value] of values) {
      const key = `${dimension}\u0000${value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.add(dimension, value, 1);
    }
  }

  private add(dimension: string, value: string, instances: number): void {
    let values = this.counts.get(dimension);
    if (!values) this.counts.set(dimension, (values = new Map<string, number>()));
    values.set(value, (values.get(value) ?? 0) + instances);
  }
}

/**
 * Pure: a whole day's rows (any order; one instance's rows oldest first)
 * counted with `DayCounter` exactly as countDay counts a stored day.
 */
export function rollUp(rows: readonly CountedRow[]): RollUp {
  const byInstance = new Map<string, CountedRow[]>();
  for (const row of rows) {
    const list = byInstance.get(row.instanceId) ?? [];
    list.push(row);
    byInstance.set(row.instanceId, list);
  }
  const counter = new DayCounter();
  for (const list of byInstance.values()) {
    counter.addEnvironment(list[list.length - 1], 1, list.length);
    counter.addInsights(list.flatMap((r) => (r.insights ? [r.insights] : [])));
  }
  return counter.result();
}

/**
 * A count as published: `instances` is null for an "other" smaller than the
 * threshold, which is shown only as "fewer than `fewerThan`" (the threshold).
 */
export interface PublishedCount {
  dimension: string;
  value: string;
  instances: number | null;
  fewerThan?: number;
}

/**
 * Whether an instance counts under exactly one value of `dimension` a day, so
 * that the dimension's counts add up to a total published elsewhere (the
 * day's active instances, or the instances that sent an opt-in group).
 */
export function countsOncePerInstance(dimension: string): boolean {
  return (DIMENSIONS as readonly string[]).includes(dimension) || dimension === COUNTRY || ONCE_PER_INSTANCE_INSIGHTS.has(dimension);
}

/**
 * What may be shown to the public, per dimension:
 *
 * - every value seen by fewer than `threshold` instances is merged into
 *   "other", so a rare combination cannot single out an installation;
 * - an "other" smaller than the threshold would be the count of those rare
 *   values, so it is never a number: where each instance counts once (the
 *   counts add up to a published total, from which "other" could be worked
 *   out), the value with the fewest instances (at least `threshold`) is merged
 *   into "other" as well, which brings it over the threshold; where that is not
 *   possible (no other value) or the counts add up to no total, "other" is
 *   published as "fewer than `threshold`", its count left out.
 *
 * So every number published is 0 or at least the threshold, and none can be
 * subtracted from another, or from a total, to give a smaller one.
 */
export function publish(counts: readonly UsageCount[], threshold: number): PublishedCount[] {
  const dimensions = new Map<string, { shown: UsageCount[]; other: number }>();
  for (const count of counts) {
    let dimension = dimensions.get(count.dimension);
    if (!dimension) dimensions.set(count.dimension, (dimension = { shown: [], other: 0 }));
    if (count.instances >= threshold && count.value !== OTHER) dimension.shown.push({ ...count });
    else dimension.other += count.instances;
  }
  const result: PublishedCount[] = [];
  for (const [dimension, { shown, other }] of dimensions) {
    let rest = other;
    if (rest > 0 && rest < threshold && shown.length > 0 && countsOncePerInstance(dimension)) {
      // The smallest value (the last in published order) goes too: at least `threshold` more.
      rest += sortCounts(shown).pop()!.instances;
    }
    result.push(...shown);
    if (rest >= threshold) result.push({ dimension, value: OTHER, instances: rest });
    else if (rest > 0) result.push({ dimension, value: OTHER, instances: null, fewerThan: threshold });
  }
  return sortCounts(result);
}

/** Dimensions with a fleet total per value (`lifecycle.events.crash`, `editor.actions.core:search`). */
const TOTALS_PER_VALUE = ['lifecycle.events', 'editor.actions'] as const;

/**
 * What may be shown of a day's fleet totals: a total only when at least
 * `threshold` instances make it up (those that sent its group, or had that
 * kind of event, or used that editor action), so that no total is one
 * installation's own figure.
 */
export function publishSums(sums: readonly DaySum[], counts: readonly UsageCount[], threshold: number): DaySum[] {
  const instancesOf = (dimension: string, value: string) => counts.find((c) => c.dimension === dimension && c.value === value)?.instances ?? 0;
  return sums.filter((sum) => {
    const perValue = TOTALS_PER_VALUE.find((dimension) => sum.metric.startsWith(`${dimension}.`));
    const basis = perValue ? instancesOf(perValue, sum.metric.slice(perValue.length + 1)) : instancesOf('insight.groups', sum.metric.split('.')[0]);
    return basis >= threshold;
  });
}

/** Dimension order, then most instances first, then value; "other" last in its dimension. */
function sortCounts<C extends { dimension: string; value: string; instances: number | null }>(counts: C[]): C[] {
  const rank = (d: string) => {
    const i = (DIMENSIONS as readonly string[]).indexOf(d);
    return i === -1 ? DIMENSIONS.length : i;
  };
  return counts.sort(
    (a, b) =>
      rank(a.dimension) - rank(b.dimension) ||
      a.dimension.localeCompare(b.dimension) ||
      Number(a.value === OTHER) - Number(b.value === OTHER) ||
      (b.instances ?? 0) - (a.instances ?? 0) ||
      (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
  );
}
