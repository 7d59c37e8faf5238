import type { Store } from './store';
import type { DaySum, DaySummary, UsageCount } from './rollup-writes';

/**
 * Read-only queries for the public side. They touch only the roll-up tables
 * (`aggregated_days`, `daily_usage`, `daily_sums`) and `collector_meta`,
 * never `reports`.
 */

/** The published shape of one day: its totals and its counts. */
export interface DayUsage extends DaySummary {
  counts: UsageCount[];
}

/** What the published answers currently rest on; any change to the roll-ups changes `stamp`. */
export interface DataVersion {
  /** Oldest and newest aggregated day; null when nothing has been aggregated. */
  first: string | null;
  last: string | null;
  days: number;
  /** When the newest roll-up was written. */
  aggregatedAt: string | null;
  /** The demo-data label when the store holds generated data; null for real data. */
  demo: string | null;
  /** One string that changes whenever any of the above does: the key of cached answers. */
  stamp: string;
}

/** Key of the `collector_meta` row that marks a store filled by the demo-data command. */
export const DEMO_KEY = 'demo';

/** Two small queries: bounds of the roll-ups and the demo mark. */
export async function dataVersion(store: Store): Promise<DataVersion> {
  const row = await store.db
    .selectFrom('aggregated_days')
    .select((eb) => [
      eb.fn.min<string>('day').as('first'),
      eb.fn.max<string>('day').as('last'),
      eb.fn.countAll<number | string>().as('days'),
      eb.fn.max<string>('aggregated_at').as('aggregatedAt'),
    ])
    .executeTakeFirst();
  const demo = await demoLabel(store);
  const first = row?.first ?? null;
  const last = row?.last ?? null;
  const days = Number(row?.days ?? 0);
  const aggregatedAt = row?.aggregatedAt ?? null;
  return { first, last, days, aggregatedAt, demo, stamp: JSON.stringify([first, last, days, aggregatedAt, demo]) };
}

/**
 * `dataVersion`, asked of the database at most once per `ttlMs`: roll-ups
 * change once a day, public requests come by the thousand. A roll-up written
 * by this process is seen at once (the store counts its writes); one written
 * by another process (the CLI, another collector) within `ttlMs`.
 */
export function recentDataVersion(store: Store, ttlMs = 1000): () => Promise<DataVersion> {
  let last: { at: number; writes: number; version: Promise<DataVersion> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ttlMs || last.writes !== store.rollUpWrites) {
      const version = dataVersion(store);
      const entry = { at: now, writes: store.rollUpWrites, version };
      last = entry;
      // A failed read is not kept: the next request asks again.
      version.catch(() => {
        if (last === entry) last = undefined;
      });
    }
    return last.version;
  };
}

/** The demo-data label, or null when the store holds real data only. */
export async function demoLabel(store: Store): Promise<string | null> {
  const row = await store.db.selectFrom('collector_meta').select('value').where('key', '=', DEMO_KEY).executeTakeFirst();
  return row?.value ?? null;
}

/** Every dimension any roll-up counted, in no particular order. */
export async function dimensionNames(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('daily_usage').select('dimension').distinct().execute();
  return rows.map((r) => r.dimension);
}

/** Rows by their day, each turned into what is published, in one pass: a range of years must not cost days × rows. */
function groupByDay<R extends { day: string }, T>(rows: readonly R[], shape: (row: R) => T): Map<string, T[]> {
  const byDay = new Map<string, T[]>();
  for (const row of rows) {
    const list = byDay.get(row.day) ?? [];
    list.push(shape(row));
    byDay.set(row.day, list);
  }
  return byDay;
}

/** Roll-ups for the days from `from` to `to`, inclusive, oldest first. */
export async function dailyUsage(store: Store, from: string, to: string): Promise<DayUsage[]> {
  const days = await store.db
    .selectFrom('aggregated_days')
    .select(['day', 'instances', 'reports'])
    .where((eb) => eb.between('day', from, to))
    .orderBy('day')
    .execute();
  const counts = await store.db
    .selectFrom('daily_usage')
    .select(['day', 'dimension', 'value', 'instances'])
    .where((eb) => eb.between('day', from, to))
    .orderBy('day')
    .orderBy('dimension')
    .orderBy('instances', 'desc')
    .orderBy('value')
    .execute();
  const byDay = groupByDay(counts, (c): UsageCount => ({ dimension: c.dimension, value: c.value, instances: Number(c.instances) }));
  return days.map((d) => ({
    day: d.day,
    instances: Number(d.instances),
    reports: Number(d.reports),
    counts: byDay.get(d.day) ?? [],
  }));
}

/** Fleet totals of the opt-in groups for the days from `from` to `to`, per day. */
export async function dailySums(store: Store, from: string, to: string): Promise<Map<string, DaySum[]>> {
  const rows = await store.db
    .selectFrom('daily_sums')
    .select(['day', 'metric', 'total'])
    .where((eb) => eb.between('day', from, to))
    .orderBy('day')
    .orderBy('metric')
    .execute();
  return groupByDay(rows, (r): DaySum => ({ metric: r.metric, total: Number(r.total) }));
}
