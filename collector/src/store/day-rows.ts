import type { Kysely } from 'kysely';
import { chunks } from './chunks';
import { dayNumber, dayText, Environment, environmentOf } from './report-encoding';
import type { Database } from './tables';

/** Rows read per query when the roll-up counts instances one at a time: a few MiB at a time. */
export const ROLLUP_PAGE = 10_000;

/** Instances looked up per query among those that changed environment during a day. */
export const MIXED_PAGE = 5000;

/** The reports of one instance on one day, with what the roll-up needs of them. */
export interface InstanceRows<R> {
  instance: Uint8Array;
  rows: R[];
}

/**
 * Instances of a day counted per pair of their first and last environment
 * (by id): where the two are the same, the instances reported from that
 * environment alone. Counts read back as strings on PostgreSQL (bigint).
 */
export interface EnvironmentPair {
  first: number;
  last: number;
  instances: number | string | bigint;
  reports: number | string | bigint;
}

/** An instance that reported from several environments in a day: the environment (by id) of its last report, and its reports. */
export interface MixedInstance {
  instance: Uint8Array;
  last: number;
  reports: number | string | bigint;
}

/** Rows in instance order, one instance's rows at a time. */
function* byInstance<R extends { instance: Uint8Array }>(rows: R[]): Generator<InstanceRows<R>> {
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i === rows.length || Buffer.compare(rows[i].instance, rows[start].instance) !== 0) {
      yield { instance: rows[start].instance, rows: rows.slice(start, i) };
      start = i;
    }
  }
}

/** Which instances a page starts after (or, `exact`, the one instance to read whole). */
type PageStart = { instance: Uint8Array; exact: boolean } | undefined;

/**
 * Rows in instance order, one instance's rows at a time, read in pages of
 * ROLLUP_PAGE. A page that ends inside an instance hands that instance to
 * the next page whole; an instance larger than a page is read on its own.
 */
async function* pagedByInstance<R extends { instance: Uint8Array }>(
  read: (after: PageStart, limit?: number) => Promise<R[]>,
): AsyncGenerator<InstanceRows<R>> {
  let after: PageStart;
  for (;;) {
    const page = await read(after, ROLLUP_PAGE);
    if (page.length === 0) return;
    let rows = page;
    if (page.length === ROLLUP_PAGE) {
      const last = page[page.length - 1].instance;
      const whole = page.filter((r) => Buffer.compare(r.instance, last) !== 0);
      rows = whole.length > 0 ? whole : await read({ instance: last, exact: true });
    }
    yield* byInstance(rows);
    if (page.length < ROLLUP_PAGE) return;
    after = { instance: rows[rows.length - 1].instance, exact: false };
  }
}

/**
 * One day's raw reports as the roll-up reads them: the database groups them
 * per instance, then per environment, from the (day, instance, environment)
 * index alone; instances with several environments that day (one row each:
 * the environment of their last report) and reports with opt-in groups (one
 * instance at a time) are read in pages. What the
 * rows count for is the roll-up's to say (rollup/count-day.ts).
 */
export class DayRows {
  private readonly number: number;

  constructor(
    private readonly db: Kysely<Database>,
    readonly day: string,
  ) {
    this.number = dayNumber(day);
  }

  /** Per instance, its first and last environment (by id) and its reports; then per pair. */
  async environmentPairs(): Promise<EnvironmentPair[]> {
    const perInstance = this.db
      .selectFrom('reports')
      .select((eb) => [eb.fn.min('environment').as('first'), eb.fn.max('environment').as('last'), eb.fn.countAll().as('reports')])
      .where('day', '=', this.number)
      .groupBy('instance')
      .as('per_instance');
    return this.db
      .selectFrom(perInstance)
      .select((eb) => ['first', 'last', eb.fn.countAll().as('instances'), eb.fn.sum('reports').as('reports')])
      .groupBy(['first', 'last'])
      .execute();
  }

  /** Every stored environment, by id: a fleet has a few thousand. */
  async environments(): Promise<Map<number, Environment>> {
    const rows = await this.db.selectFrom('environments').selectAll().execute();
    return new Map(rows.map((row) => [Number(row.id), environmentOf(row)]));
  }

  /**
   * Instances of the day that reported from more than one environment, each
   * with the environment of its last report (the latest received; of two
   * received in the same millisecond, the one stored last) and its number of
   * reports: one row per instance, never the instance's reports themselves.
   * Found a page at a time, each query going on along the index from where
   * the last stopped, so that a day when the whole fleet upgraded is read
   * once, not once per page.
   */
  async *mixedInstances(): AsyncGenerator<MixedInstance[]> {
    const { db, number: day } = this;
    let after: Uint8Array | undefined;
    for (;;) {
      let query = db
        .selectFrom('reports')
        .select('instance')
        .where('day', '=', day)
        .groupBy('instance')
        .having((h) => h(h.fn.min('environment'), '<>', h.fn.max('environment')))
        .orderBy('instance')
        .limit(MIXED_PAGE);
      if (after) query = query.where('instance', '>', after);
      const instances = (await query.execute()).map((r) => r.instance);
      if (instances.length === 0) return;
      // Each instance's reports ranked, latest first, in one pass over the page's instances.
      const ranked = db
        .selectFrom('reports')
        .select((eb) => [
          'instance',
          'environment',
          eb.fn.countAll().over((ob) => ob.partitionBy('instance')).as('reports'),
          eb.fn
            .agg<number>('row_number', [])
            .over((ob) => ob.partitionBy('instance').orderBy('received_at', 'desc').orderBy('id', 'desc'))
            .as('rank'),
        ])
        .where('day', '=', day)
        .where('instance', 'in', instances)
        .as('ranked');
      const rows = await db.selectFrom(ranked).select(['instance', 'environment', 'reports']).where('rank', '=', 1).orderBy('instance').execute();
      yield rows.map((r) => ({ instance: r.instance, last: Number(r.environment), reports: r.reports }));
      if (instances.length < MIXED_PAGE) return;
      after = instances[instances.length - 1];
    }
  }

  /** The opt-in groups of the day's reports that carried any, as stored (JSON), one instance at a time, oldest first. */
  insights(): AsyncGenerator<InstanceRows<{ insights: string | null }>> {
    const { db, number: day } = this;
    return pagedByInstance((after, limit) => {
      let query = db
        .selectFrom('reports')
        .select(['instance', 'insights'])
        .where('day', '=', day)
        .where('insights', 'is not', null)
        .orderBy('instance')
        .orderBy('received_at')
        .orderBy('id');
      if (after) query = query.where('instance', after.exact ? '=' : '>', after.instance);
      if (limit !== undefined) query = query.limit(limit);
      return query.execute();
    });
  }
}

/** Whether any raw report of `day` is still stored. */
export async function hasReports(db: Kysely<Database>, day: string): Promise<boolean> {
  const row = await db.selectFrom('reports').select('id').where('day', '=', dayNumber(day)).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Days that have raw reports before `beforeDay` but no roll-up yet. */
export async function daysToAggregate(db: Kysely<Database>, beforeDay: string): Promise<string[]> {
  // Day by day, each the next one up the index: a seek per day, not a scan of every report.
  const days: string[] = [];
  const before = dayNumber(beforeDay);
  for (let after = -1; ; ) {
    const next = await db
      .selectFrom('reports')
      .select((eb) => eb.fn.min('day').as('day'))
      .where('day', '>', after)
      .where('day', '<', before)
      .executeTakeFirst();
    if (next?.day === null || next?.day === undefined) break;
    after = Number(next.day);
    days.push(dayText(after));
  }
  if (days.length === 0) return [];
  const done = new Set<string>();
  for (const chunk of chunks(days, 500)) {
    for (const row of await db.selectFrom('aggregated_days').select('day').where('day', 'in', chunk).execute()) done.add(row.day);
  }
  return days.filter((d) => !done.has(d));
}
