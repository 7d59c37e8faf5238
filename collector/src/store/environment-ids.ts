import { sql, type Transaction } from 'kysely';
import { chunks } from './chunks';
import { dayNumberOf, Environment, ENVIRONMENT_COLUMNS, environmentColumns, environmentKey, environmentOf, ReportRecord } from './report-encoding';
import type { Database } from './tables';

/** Environment ids a process remembers; past this, it starts again (a fleet has a few thousand). */
const ENVIRONMENT_CACHE = 50_000;

/** An environment's id, with the newest day it was marked as used. */
export interface KnownEnvironment {
  id: number;
  lastDay: number;
}

/** The `environments` rows a batch's reports refer to, found or made, with the ids this process already knows. */
export class EnvironmentIds {
  /**
   * Environment ids this process has committed, with the newest day it marked
   * each as used: such an id is used without asking the database again that
   * day, since retention deletes only environments unused for its whole period.
   */
  private readonly known = new Map<string, KnownEnvironment>();

  /**
   * The id of each accepted report's environment, in the order given. One this process already
   * marked as used on the report's day is taken from memory; the others are
   * inserted or marked in one upsert per 100, in key order (after the rate
   * counters, which are locked first everywhere), so that collectors sharing
   * a PostgreSQL never wait on each other crosswise.
   */
  async idsOf(trx: Transaction<Database>, reports: readonly ReportRecord[], learned: Map<string, KnownEnvironment>): Promise<number[]> {
    const ids = new Map<string, number>();
    const wanted = new Map<string, { environment: Environment; day: number }>();
    const keys = reports.map((r) => environmentKey(r.environment));
    for (const [i, r] of reports.entries()) {
      const key = keys[i];
      const day = dayNumberOf(r.receivedAt);
      const known = this.known.get(key);
      if (known && known.lastDay >= day) ids.set(key, known.id);
      else if ((wanted.get(key)?.day ?? -Infinity) < day) wanted.set(key, { environment: r.environment, day });
    }
    const upserts = [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const chunk of chunks(upserts, 100)) {
      const rows = await trx
        .insertInto('environments')
        .values(chunk.map(([, w]) => ({ ...environmentColumns(w.environment), last_day: w.day })))
        .onConflict((oc) =>
          oc.columns([...ENVIRONMENT_COLUMNS]).doUpdateSet({
            last_day: sql<number>`case when excluded.last_day > environments.last_day then excluded.last_day else environments.last_day end`,
          }),
        )
        .returning(['id', ...ENVIRONMENT_COLUMNS, 'last_day'])
        .execute();
      for (const row of rows) {
        const key = environmentKey(environmentOf(row));
        ids.set(key, Number(row.id));
        learned.set(key, { id: Number(row.id), lastDay: Number(row.last_day) });
      }
    }
    return keys.map((key) => ids.get(key)!);
  }

  /** What `idsOf` learned in a transaction, once it has committed. */
  remember(learned: ReadonlyMap<string, KnownEnvironment>): void {
    if (this.known.size + learned.size > ENVIRONMENT_CACHE) this.known.clear();
    for (const [key, known] of learned) this.known.set(key, known);
  }
}
