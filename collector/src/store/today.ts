import type { Store } from './store';
import { dayNumber } from './report-encoding';

/**
 * The one public read of raw reports: a day's totals so far, before the day
 * is rolled up. The database counts them over the (day, instance,
 * environment) index, so nothing of the day is held here, however many
 * reports it has; no value of any report is read.
 */

/** A day's distinct instances and reports, as stored so far. */
export interface TotalsSoFar {
  instances: number;
  reports: number;
}

export async function totalsSoFar(store: Store, day: string): Promise<TotalsSoFar> {
  const row = await store.db
    .selectFrom('reports')
    .where('day', '=', dayNumber(day))
    .select((eb) => [eb.fn.countAll<number | string>().as('reports'), eb.fn.count<number | string>('instance').distinct().as('instances')])
    .executeTakeFirst();
  // PostgreSQL's count is a bigint, read back as a string.
  return { instances: Number(row?.instances ?? 0), reports: Number(row?.reports ?? 0) };
}
