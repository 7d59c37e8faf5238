import type { Kysely } from 'kysely';
import { chunks } from './chunks';
import type { Database } from './tables';

/** Distinct instances that reported `value` for `dimension` on one day. */
export interface UsageCount {
  dimension: string;
  value: string;
  instances: number;
}

/** An amount summed over every instance of a day, such as the fleet's total of nodes. */
export interface DaySum {
  metric: string;
  total: number;
}

export interface RollUp {
  instances: number;
  reports: number;
  counts: UsageCount[];
  /** Fleet totals from the opt-in groups; empty when no report carried one. */
  sums: DaySum[];
}

/** What a day's roll-up found. */
export interface DaySummary {
  day: string;
  instances: number;
  reports: number;
}

/**
 * Writes one day's roll-up into `aggregated_days`, `daily_usage` and
 * `daily_sums`, replacing that day's earlier roll-up, so writing it again
 * gives the same rows; in one short transaction, so that a reader sees the
 * old roll-up or the new one.
 */
export async function writeRollUp(db: Kysely<Database>, day: string, summary: RollUp, now: string): Promise<DaySummary> {
  return db.transaction().execute(async (trx) => {
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
}
