/**
 * Pure roll-up and publication rules: plain rows in, plain counts out, so every
 * rule is tested without a database.
 */

/** What the roll-up reads of one raw report. */
export interface UsageRow {
  instanceId: string;
  nodeRed: string;
  nodejs: string;
  osType: string;
  arch: string;
}

/** The dimensions a day is counted by, in the order the dashboard shows them. */
export const DIMENSIONS = ['node-red', 'nodejs', 'os', 'arch'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Distinct instances that reported `value` for `dimension` on one day. */
export interface UsageCount {
  dimension: string;
  value: string;
  instances: number;
}

export interface RollUp {
  instances: number;
  reports: number;
  counts: UsageCount[];
}

/** The value published in place of every value seen by fewer instances than the threshold. */
export const OTHER = 'other';

const FIELD: Record<Dimension, keyof UsageRow> = {
  'node-red': 'nodeRed',
  nodejs: 'nodejs',
  os: 'osType',
  arch: 'arch',
};

/**
 * Counts distinct instances, overall and per value of each dimension. An
 * instance reporting twice in a day counts once; one that upgraded during the
 * day counts under both versions.
 */
export function rollUp(rows: readonly UsageRow[]): RollUp {
  const instances = new Set(rows.map((r) => r.instanceId));
  const counts: UsageCount[] = [];
  for (const dimension of DIMENSIONS) {
    const byValue = new Map<string, Set<string>>();
    for (const row of rows) {
      const value = row[FIELD[dimension]];
      const seen = byValue.get(value) ?? new Set<string>();
      seen.add(row.instanceId);
      byValue.set(value, seen);
    }
    for (const [value, ids] of byValue) counts.push({ dimension, value, instances: ids.size });
  }
  return { instances: instances.size, reports: rows.length, counts: sortCounts(counts) };
}

/**
 * What may be shown to the public: per dimension, every value seen by fewer
 * than `threshold` instances is merged into "other", so a rare combination
 * cannot single out an installation.
 */
export function publish(counts: readonly UsageCount[], threshold: number): UsageCount[] {
  const result: UsageCount[] = [];
  const other = new Map<string, number>();
  for (const count of counts) {
    if (count.instances >= threshold && count.value !== OTHER) {
      result.push({ ...count });
    } else {
      other.set(count.dimension, (other.get(count.dimension) ?? 0) + count.instances);
    }
  }
  for (const [dimension, instances] of other) result.push({ dimension, value: OTHER, instances });
  return sortCounts(result);
}

/** Dimension order, then most instances first, then value; "other" last in its dimension. */
function sortCounts(counts: UsageCount[]): UsageCount[] {
  const rank = (d: string) => {
    const i = (DIMENSIONS as readonly string[]).indexOf(d);
    return i === -1 ? DIMENSIONS.length : i;
  };
  return counts.sort(
    (a, b) =>
      rank(a.dimension) - rank(b.dimension) ||
      a.dimension.localeCompare(b.dimension) ||
      Number(a.value === OTHER) - Number(b.value === OTHER) ||
      b.instances - a.instances ||
      (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
  );
}
