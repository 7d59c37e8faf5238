import { ExpressionBuilder, ExpressionWrapper, Kysely, SqlBool, sql } from 'kysely';
import { migrate } from './migrations';
import { connect, StoreLocation } from './connect';
import type { Database, ReportsTable } from './tables';
import { CountedRow, DayCounter, DaySum, UsageCount } from '../aggregate';
import { parseInsights } from '../report-rules';

/** A counter that has reached its limit: which one, and when its window ends. */
export interface LimitHit {
  key: string;
  windowEnd: string;
}

/** One rate limit to check and count within the same transaction as the insert. */
export interface Limit {
  key: string;
  limit: number;
  windowStart: string;
  windowEnd: string;
}

export type AcceptResult = { accepted: true } | { accepted: false; hit: LimitHit };

/** A report waiting to be stored, with the limits it is counted against. */
export interface PendingReport {
  report: ReportsTable;
  limits: Limit[];
}

/** Expired reports deleted per statement: a few milliseconds of work each. */
export const PRUNE_BATCH = 2000;

/** Reports read per query when rolling a day up: a few MiB of rows at a time. */
export const ROLLUP_PAGE = 10_000;

/** Runs a bounded delete until it deletes less than a batch, yielding to the event loop between batches. */
async function inBatches(deleteBatch: () => Promise<{ numDeletedRows: bigint }>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = Number((await deleteBatch()).numDeletedRows);
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The keys of each window start, in the order given (window starts ascending, keys ascending within). */
function byWindowStart(keys: ReadonlyArray<{ key: string; window_start: string }>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const list = groups.get(k.window_start) ?? [];
    list.push(k.key);
    groups.set(k.window_start, list);
  }
  return groups;
}

function windowKey(key: string, windowStart: string): string {
  return `${windowStart}\u0000${key}`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** What a day's roll-up found. */
export interface DaySummary {
  day: string;
  instances: number;
  reports: number;
}

/** The published shape of one day: its totals and its counts. */
export interface DayUsage extends DaySummary {
  counts: UsageCount[];
}

/**
 * The one query layer over SQLite and PostgreSQL. Every statement here is
 * plain Kysely that both dialects accept; nothing above this file writes SQL.
 */
export class Store {
  /** Roll-ups this process has written; published answers cached on the data are checked against it. */
  rollUpWrites = 0;

  private constructor(
    readonly db: Kysely<Database>,
    readonly kind: StoreLocation['kind'],
  ) {}

  /** Opens the database and applies pending migrations before anything is served. */
  static async open(location: StoreLocation): Promise<Store> {
    const db = connect(location);
    try {
      await migrate(db as Kysely<unknown>);
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return new Store(db, location.kind);
  }

  /** A round trip to the database, for the health check. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /**
   * The secret for `day`'s IP hashes, created on first use and shared by every
   * process on this database. Earlier days' secrets are deleted here, so that
   * a stored hash can no longer be matched against candidate addresses.
   */
  async secretFor(day: string, fresh: () => string): Promise<string> {
    await this.destroySecretsBefore(day);
    await this.db
      .insertInto('salts')
      .values({ day, secret: fresh() })
      .onConflict((oc) => oc.column('day').doNothing())
      .execute();
    const row = await this.db.selectFrom('salts').select('secret').where('day', '=', day).executeTakeFirstOrThrow();
    return row.secret;
  }

  /**
   * Counts and stores many reports in one transaction, in order, with exactly
   * the outcome each would have had in a transaction of its own: over a limit,
   * nothing is stored and no counter moves; otherwise the report is committed
   * before this resolves, so a 2xx always means durably kept. Five statements per
   * batch whatever its size: the counters are created, read (and on
   * PostgreSQL locked, in key order, so that collectors sharing the database
   * take turns), decided in memory, written back, and the accepted reports
   * inserted. Either all of it commits or none: a failure rejects, and no
   * report of the batch is stored.
   */
  async acceptBatch(items: readonly PendingReport[]): Promise<AcceptResult[]> {
    if (items.length === 0) return [];
    const windows = new Map<string, { key: string; window_start: string }>();
    for (const { limits } of items) for (const l of limits) windows.set(windowKey(l.key, l.windowStart), { key: l.key, window_start: l.windowStart });
    // Window start, then key: the order rows are locked in below.
    const keys = [...windows.values()].sort((a, b) =>
      a.window_start < b.window_start ? -1 : a.window_start > b.window_start ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    return this.db.transaction().execute(async (trx) => {
      // Written first, so that this transaction holds SQLite's write lock before it reads.
      for (const chunk of chunks(keys, 500)) {
        await trx
          .insertInto('rate_windows')
          .values(chunk.map((k) => ({ ...k, hits: 0 })))
          .onConflict((oc) => oc.columns(['key', 'window_start']).doNothing())
          .execute();
      }
      const hits = new Map<string, number>();
      // One window start (the current hour, nearly always) and a list of keys per statement: the
      // primary key answers `window_start = ? and key in (…)` directly, where hundreds of OR-ed pairs
      // cost SQLite most of a batch to plan.
      for (const [windowStart, ofWindow] of byWindowStart(keys)) {
        for (const chunk of chunks(ofWindow, 500)) {
          let query = trx
            .selectFrom('rate_windows')
            .select(['key', 'window_start', 'hits'])
            .where('window_start', '=', windowStart)
            .where('key', 'in', chunk)
            // Locked in code-unit order (the keys are ASCII), the order they were sorted in above,
            // whatever the database's collation: collectors sharing a PostgreSQL then lock in one
            // order and never wait on each other crosswise. (SQLite compares text by code unit
            // already, and has no collation named "C".)
            .orderBy(this.kind === 'postgres' ? sql`key collate "C"` : sql`key`);
          if (this.kind === 'postgres') query = query.forUpdate();
          for (const row of await query.execute()) hits.set(windowKey(row.key, row.window_start), Number(row.hits));
        }
      }
      const results: AcceptResult[] = [];
      const accepted: ReportsTable[] = [];
      for (const { report, limits } of items) {
        const over = limits.find((l) => (hits.get(windowKey(l.key, l.windowStart)) ?? 0) + 1 > l.limit);
        if (over) {
          // Refused reports move no counter, exactly as when each was a transaction of its own.
          results.push({ accepted: false, hit: { key: over.key, windowEnd: over.windowEnd } });
          continue;
        }
        for (const l of limits) hits.set(windowKey(l.key, l.windowStart), (hits.get(windowKey(l.key, l.windowStart)) ?? 0) + 1);
        accepted.push(report);
        results.push({ accepted: true });
      }
      const moved = keys.filter((k) => (hits.get(windowKey(k.key, k.window_start)) ?? 0) > 0);
      for (const chunk of chunks(moved, 500)) {
        await trx
          .insertInto('rate_windows')
          .values(chunk.map((k) => ({ ...k, hits: hits.get(windowKey(k.key, k.window_start)) ?? 0 })))
          .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ hits: eb.ref('excluded.hits') })))
          .execute();
      }
      for (const chunk of chunks(accepted, 200)) await trx.insertInto('reports').values(chunk).execute();
      return results;
    });
  }

  /** Deletes every raw report of one instance. Aggregates hold no instance ids and stay. */
  async erase(instanceId: string): Promise<number> {
    const result = await this.db.deleteFrom('reports').where('instance_id', '=', instanceId).executeTakeFirst();
    await this.db.deleteFrom('rate_windows').where('key', '=', `instance:${instanceId}`).execute();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes raw reports of days before `reportsBefore`, rate windows that
   * started before `windowsBefore`, and secrets of days before `today`.
   */
  async prune(cut: { reportsBefore: string; windowsBefore: string; today: string }): Promise<{ reports: number; windows: number }> {
    // In bounded batches, each its own short transaction, with a pause for the
    // event loop between them: months of expired reports never hold the
    // database (or ingest) for longer than one batch.
    const reports = await inBatches(() =>
      this.db
        .deleteFrom('reports')
        .where('id', 'in', (eb) => eb.selectFrom('reports').select('id').where('day', '<', cut.reportsBefore).limit(PRUNE_BATCH))
        .executeTakeFirst(),
    );
    const windows = await inBatches(() =>
      this.db
        .deleteFrom('rate_windows')
        .where((eb) =>
          eb(
            eb.refTuple('key', 'window_start'),
            'in',
            eb.selectFrom('rate_windows').select(['key', 'window_start']).where('window_start', '<', cut.windowsBefore).limit(PRUNE_BATCH).$asTuple('key', 'window_start'),
          ),
        )
        .executeTakeFirst(),
    );
    await this.destroySecretsBefore(cut.today);
    return { reports, windows };
  }

  /** Deletes the secrets of days before `day`: their hashes can no longer be recomputed. */
  private async destroySecretsBefore(day: string): Promise<void> {
    await this.db.deleteFrom('salts').where('day', '<', day).execute();
  }

  /** Whether any raw report of `day` is still stored. */
  async hasReports(day: string): Promise<boolean> {
    const row = await this.db.selectFrom('reports').select('id').where('day', '=', day).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Days that have raw reports before `beforeDay` but no roll-up yet. */
  async daysToAggregate(beforeDay: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('reports')
      .select('day')
      .distinct()
      .where('day', '<', beforeDay)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('aggregated_days').select('day').whereRef('aggregated_days.day', '=', 'reports.day'))),
      )
      .orderBy('day')
      .execute();
    return rows.map((r) => r.day);
  }

  /**
   * Rolls one day's raw reports up into `daily_usage` and `daily_sums`,
   * replacing that day's earlier roll-up, so running it again gives the same
   * rows. The day is read in pages in instance order and counted one instance
   * at a time, so memory holds one page and the distinct values, however
   * many instances reported; only the short write at the end is a transaction
   * (a finished day gets no new reports, so reading it outside one is safe,
   * and ingest is never held up by a roll-up).
   */
  async aggregateDay(day: string, now: string): Promise<DaySummary> {
    const counter = new DayCounter();
    for await (const rows of this.instancesOf(day)) counter.addInstance(rows);
    const summary = counter.result();
    const written = await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('aggregated_days')
        .values({ day, instances: summary.instances, reports: summary.reports, aggregated_at: now })
        .onConflict((oc) => oc.column('day').doUpdateSet({ instances: summary.instances, reports: summary.reports, aggregated_at: now }))
        .execute();
      await trx.deleteFrom('daily_usage').where('day', '=', day).execute();
      for (const chunk of chunks(summary.counts, 500)) {
        await trx
          .insertInto('daily_usage')
          .values(chunk.map((c) => ({ day, dimension: c.dimension, value: c.value, instances: c.instances })))
          .execute();
      }
      await trx.deleteFrom('daily_sums').where('day', '=', day).execute();
      for (const chunk of chunks(summary.sums, 500)) {
        await trx
          .insertInto('daily_sums')
          .values(chunk.map((s) => ({ day, metric: s.metric, total: s.total })))
          .execute();
      }
      return { day, instances: summary.instances, reports: summary.reports };
    });
    this.rollUpWrites++;
    return written;
  }

  /**
   * One day's reports, one instance's rows at a time (oldest first), read in
   * pages along the (day, instance_id) index. A page that ends inside an
   * instance hands that instance to the next page whole.
   */
  private async *instancesOf(day: string): AsyncGenerator<CountedRow[]> {
    let after = '';
    for (;;) {
      const page = await this.reportsOfDay(day, (eb) => eb('instance_id', '>', after), ROLLUP_PAGE);
      if (page.length === 0) return;
      let rows = page;
      if (page.length === ROLLUP_PAGE) {
        const last = page[page.length - 1].instanceId;
        const whole = page.filter((r) => r.instanceId !== last);
        // A page of one instance only: that instance's rows are read on their own.
        rows = whole.length > 0 ? whole : await this.reportsOfDay(day, (eb) => eb('instance_id', '=', last));
      }
      let start = 0;
      for (let i = 1; i <= rows.length; i++) {
        if (i === rows.length || rows[i].instanceId !== rows[start].instanceId) {
          yield rows.slice(start, i);
          start = i;
        }
      }
      if (page.length < ROLLUP_PAGE) return;
      after = rows[rows.length - 1].instanceId;
    }
  }

  private async reportsOfDay(
    day: string,
    which: (eb: ExpressionBuilder<Database, 'reports'>) => ExpressionWrapper<Database, 'reports', SqlBool>,
    limit?: number,
  ): Promise<CountedRow[]> {
    let query = this.db
      .selectFrom('reports')
      .select(['instance_id as instanceId', 'node_red as nodeRed', 'nodejs', 'os_type as osType', 'os_arch as arch', 'client', 'country', 'insights'])
      .where('day', '=', day)
      .where(which)
      // Each instance's snapshots oldest first: its last one of the day is the one counted.
      .orderBy('instance_id')
      .orderBy('received_at')
      .orderBy('id');
    if (limit !== undefined) query = query.limit(limit);
    const rows = await query.execute();
    // Parsed in place: a day can be millions of rows, and most have no groups.
    for (const row of rows) (row as unknown as CountedRow).insights = row.insights ? parseInsights(row.insights) : null;
    return rows as unknown as CountedRow[];
  }

  /** Roll-ups for the days from `from` to `to`, inclusive, oldest first. */
  async usage(from: string, to: string): Promise<DayUsage[]> {
    const days = await this.db
      .selectFrom('aggregated_days')
      .select(['day', 'instances', 'reports'])
      .where('day', '>=', from)
      .where('day', '<=', to)
      .orderBy('day')
      .execute();
    const counts = await this.db
      .selectFrom('daily_usage')
      .select(['day', 'dimension', 'value', 'instances'])
      .where('day', '>=', from)
      .where('day', '<=', to)
      .orderBy('day')
      .orderBy('dimension')
      .orderBy('instances', 'desc')
      .orderBy('value')
      .execute();
    // Grouped in one pass: a range of years must not cost days × counts.
    const byDay = new Map<string, UsageCount[]>();
    for (const c of counts) {
      const list = byDay.get(c.day) ?? [];
      list.push({ dimension: c.dimension, value: c.value, instances: Number(c.instances) });
      byDay.set(c.day, list);
    }
    return days.map((d) => ({
      day: d.day,
      instances: Number(d.instances),
      reports: Number(d.reports),
      counts: byDay.get(d.day) ?? [],
    }));
  }

  /** Fleet totals of the opt-in groups for the days from `from` to `to`, per day. */
  async sums(from: string, to: string): Promise<Map<string, DaySum[]>> {
    const rows = await this.db
      .selectFrom('daily_sums')
      .select(['day', 'metric', 'total'])
      .where('day', '>=', from)
      .where('day', '<=', to)
      .orderBy('day')
      .orderBy('metric')
      .execute();
    const byDay = new Map<string, DaySum[]>();
    for (const r of rows) {
      const list = byDay.get(r.day) ?? [];
      list.push({ metric: r.metric, total: Number(r.total) });
      byDay.set(r.day, list);
    }
    return byDay;
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
