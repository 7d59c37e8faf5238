import type { Kysely } from 'kysely';
import { destroySecretsBefore } from './address-secrets';
import { chunks } from './chunks';
import { dayNumber, dayNumbers, encodeInstanceId } from './report-encoding';
import type { Database } from './tables';

/** Expired reports deleted per statement: a few milliseconds of work each. */
export const PRUNE_BATCH = 1000;

/**
 * Runs a bounded delete until it deletes less than a batch, pausing after
 * each batch as long as it took: retention takes at most half of the
 * process's time (on SQLite the delete runs on the event loop itself), so
 * reports arriving meanwhile wait for one batch at most, never for a queue.
 */
async function inBatches(deleteBatch: () => Promise<{ numDeletedRows: bigint }>): Promise<number> {
  let total = 0;
  for (;;) {
    const started = performance.now();
    const deleted = Number((await deleteBatch()).numDeletedRows);
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, performance.now() - started)));
  }
}

/** Deletes every raw report of one instance. Aggregates and counters hold no instance ids and stay. */
export async function erase(db: Kysely<Database>, instanceId: string): Promise<number> {
  // Looked up day by day along the one index (day, instance): a few dozen seeks,
  // where an index on the instance alone would cost every report its bytes.
  const bounds = await db
    .selectFrom('reports')
    .select((eb) => [eb.fn.min('day').as('first'), eb.fn.max('day').as('last')])
    .executeTakeFirst();
  let deleted = 0;
  if (bounds?.first !== null && bounds?.first !== undefined && bounds.last !== null) {
    const instance = encodeInstanceId(instanceId);
    for (const days of chunks(dayNumbers(Number(bounds.first), Number(bounds.last)), 500)) {
      const result = await db.deleteFrom('reports').where('day', 'in', days).where('instance', '=', instance).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
  }
  return deleted;
}

/**
 * Deletes raw reports of days before `reportsBefore`, rate windows that
 * started before `windowsBefore`, and secrets of days before `today`.
 */
export async function prune(db: Kysely<Database>, cut: { reportsBefore: string; windowsBefore: string; today: string }): Promise<{ reports: number; windows: number }> {
  // In bounded batches, each its own short transaction, with a pause for the
  // event loop between them: months of expired reports never hold the
  // database (or ingest) for longer than one batch.
  const before = dayNumber(cut.reportsBefore);
  const reports = await inBatches(() =>
    db
      .deleteFrom('reports')
      .where('id', 'in', (eb) => eb.selectFrom('reports').select('id').where('day', '<', before).limit(PRUNE_BATCH))
      .executeTakeFirst(),
  );
  // Every report from these was older, and has just been deleted.
  await db.deleteFrom('environments').where('last_day', '<', before).execute();
  const windows = await inBatches(() =>
    db
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
  await destroySecretsBefore(db, cut.today);
  return { reports, windows };
}
