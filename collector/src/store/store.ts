import { Kysely, sql } from 'kysely';
import { migrate } from './migrations';
import { connect, StoreLocation } from './connect';
import type { Database, ReportsTable } from './tables';
import { rollUp, UsageCount, UsageRow } from '../aggregate';

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
   * Counts the report against each limit and stores it, in one transaction:
   * over a limit, nothing is stored and no counter moves; otherwise the report
   * is committed before this resolves, so a 2xx always means durably kept.
   */
  async accept(report: ReportsTable, limits: Limit[]): Promise<AcceptResult> {
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const limit of limits) {
          const { hits } = await trx
            .insertInto('rate_windows')
            .values({ key: limit.key, window_start: limit.windowStart, hits: 1 })
            .onConflict((oc) =>
              oc.columns(['key', 'window_start']).doUpdateSet({ hits: sql<number>`rate_windows.hits + 1` }),
            )
            .returning('hits')
            .executeTakeFirstOrThrow();
          if (Number(hits) > limit.limit) throw new LimitReached({ key: limit.key, windowEnd: limit.windowEnd });
        }
        await trx.insertInto('reports').values(report).execute();
      });
      return { accepted: true };
    } catch (err) {
      if (err instanceof LimitReached) return { accepted: false, hit: err.hit };
      throw err;
    }
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
    const reports = await this.db.deleteFrom('reports').where('day', '<', cut.reportsBefore).executeTakeFirst();
    const windows = await this.db.deleteFrom('rate_windows').where('window_start', '<', cut.windowsBefore).executeTakeFirst();
    await this.destroySecretsBefore(cut.today);
    return { reports: Number(reports.numDeletedRows), windows: Number(windows.numDeletedRows) };
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
   * Rolls one day's raw reports up into `daily_usage`, replacing that day's
   * earlier roll-up, so running it again gives the same rows.
   */
  async aggregateDay(day: string, now: string): Promise<DaySummary> {
    return this.db.transaction().execute(async (trx) => {
      // Written first so that this transaction holds the day's row (PostgreSQL)
      // or the write lock (SQLite) before it reads: two aggregators of one day
      // then run one after the other instead of interleaving.
      await trx
        .insertInto('aggregated_days')
        .values({ day, instances: 0, reports: 0, aggregated_at: now })
        .onConflict((oc) => oc.column('day').doUpdateSet({ aggregated_at: now }))
        .execute();
      const rows: UsageRow[] = await trx
        .selectFrom('reports')
        .select(['instance_id as instanceId', 'node_red as nodeRed', 'nodejs', 'os_type as osType', 'os_arch as arch'])
        .where('day', '=', day)
        .execute();
      const summary = rollUp(rows);
      await trx.deleteFrom('daily_usage').where('day', '=', day).execute();
      if (summary.counts.length > 0) {
        await trx
          .insertInto('daily_usage')
          .values(summary.counts.map((c) => ({ day, dimension: c.dimension, value: c.value, instances: c.instances })))
          .execute();
      }
      await trx
        .updateTable('aggregated_days')
        .set({ instances: summary.instances, reports: summary.reports })
        .where('day', '=', day)
        .execute();
      return { day, instances: summary.instances, reports: summary.reports };
    });
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
    return days.map((d) => ({
      day: d.day,
      instances: Number(d.instances),
      reports: Number(d.reports),
      counts: counts
        .filter((c) => c.day === d.day)
        .map((c) => ({ dimension: c.dimension, value: c.value, instances: Number(c.instances) })),
    }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

class LimitReached extends Error {
  constructor(readonly hit: LimitHit) {
    super(`rate limit reached for ${hit.key}`);
  }
}
