import { CompiledQuery, Kysely, Transaction, sql } from 'kysely';
import { migrate } from './migrations';
import { connect, StoreLocation } from './connect';
import { WalSync } from './wal-sync';
import type { Database } from './tables';
import type { DaySum, UsageCount } from '../rollup/rules';
import { countDay } from './count-day';
import { CompiledShapes } from './compiled-shapes';
import {
  dayNumber,
  dayNumberOf,
  dayNumbers,
  dayText,
  encodeInstanceId,
  Environment,
  ENVIRONMENT_COLUMNS,
  environmentColumns,
  environmentKey,
  environmentOf,
  packReport,
  ReportRecord,
} from './report-encoding';

export { DurabilityLost } from './wal-sync';

/** A counter that has reached its limit: which one, and when its window ends. */
export interface LimitHit {
  key: string;
  windowEnd: string;
}

/**
 * One rate limit to check and count within the same transaction as the
 * insert. A limit with `instanceId` counts that instance's reports stored in
 * the window (accepted reports are exactly what such a counter would count,
 * and a random instance id would otherwise cost a counter row per report);
 * any other is a counter row in `rate_windows`.
 */
export interface Limit {
  key: string;
  limit: number;
  windowStart: string;
  windowEnd: string;
  instanceId?: string;
}

/** A limit counted from the instance's own stored reports. */
type InstanceLimit = Limit & { instanceId: string };

export type AcceptResult = { accepted: true } | { accepted: false; hit: LimitHit };

/** A report waiting to be stored, with the limits it is counted against. */
export interface PendingReport {
  report: ReportRecord;
  limits: Limit[];
}

/** Expired reports deleted per statement: a few milliseconds of work each. */
export const PRUNE_BATCH = 1000;

/** How a SQLite batch commits, and how every other write does (see Store.batchTransaction). */
const SYNCHRONOUS_NORMAL = CompiledQuery.raw('pragma synchronous = normal');
const SYNCHRONOUS_FULL = CompiledQuery.raw('pragma synchronous = full');

/** Environment ids a process remembers; past this, it starts again (a fleet has a few thousand). */
const ENVIRONMENT_CACHE = 50_000;

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

/** Items grouped by `keyOf`, groups in order of first appearance, items in the order given. */
function groupedBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
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

/** How a store is opened beyond where it is. */
export interface StoreOptions {
  /**
   * Makes the sync of a SQLite store's write-ahead log: tests give one that
   * holds a sync back, or one pointed at a file that cannot be synced.
   */
  walSync?: (walFile: string) => WalSync;
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
 * Kysely, the same for both dialects except where a branch on `kind` says
 * why; nothing above this file writes SQL. A batch's statements are compiled
 * by Kysely once per shape and run from that text after (CompiledShapes), so
 * a Kysely plugin added one day would apply to them at that first compile only.
 */
export class Store {
  /** Roll-ups this process has written; published answers cached on the data are checked against it. */
  rollUpWrites = 0;
  /**
   * Environment ids this process has committed, with the newest day it marked
   * each as used: such an id is used without asking the database again that
   * day, since retention deletes only environments unused for its whole period.
   */
  private readonly environmentIds = new Map<string, { id: number; lastDay: number }>();
  /** A batch's statements, compiled once per shape (see CompiledShapes). */
  private readonly shapes = new CompiledShapes();

  private constructor(
    readonly db: Kysely<Database>,
    readonly kind: StoreLocation['kind'],
    /** On SQLite in WAL mode: what makes a batch durable once it has committed (see batchTransaction). */
    private readonly walSync: WalSync | undefined,
  ) {}

  /** Opens the database and applies pending migrations before anything is served. */
  static async open(location: StoreLocation, options: StoreOptions = {}): Promise<Store> {
    let walSync: WalSync | undefined;
    const db = connect(location, {
      beforeWrite: () => {
        if (walSync?.broken) throw walSync.broken;
      },
    });
    try {
      await migrate(db as Kysely<unknown>, location.kind);
      if (location.kind === 'sqlite') {
        // A file system without WAL support leaves SQLite in its rollback journal, where only FULL is durable.
        const { rows: mode } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
        // The file SQLite itself opened: the log sits beside it, also when the path given is a symbolic link.
        const { rows: files } = await sql<{ file: string }>`select file from pragma_database_list where name = 'main'`.execute(db);
        if (mode[0]?.journal_mode === 'wal') {
          walSync = (options.walSync ?? ((file) => new WalSync(file)))(`${files[0].file}-wal`);
          await walSync.open();
        }
      }
    } catch (err) {
      try {
        await db.destroy();
      } finally {
        await walSync?.close();
      }
      throw err;
    }
    return new Store(db, location.kind, walSync);
  }

  /** A round trip to the database, for the health check; fails once writes can no longer be made durable. */
  async ping(): Promise<void> {
    this.refuseIfNotDurable();
    await sql`select 1`.execute(this.db);
  }

  /**
   * Once a sync of the log has failed, anything committed after it could be
   * lost with the gap in front of it, an erasure as much as a report: every
   * SQLite statement that writes refuses, wherever it comes from, checked
   * where statements run (connect's `beforeWrite`), so that no write path can
   * forget it; a long write stops at its next statement. Reads go on (the
   * dashboard keeps its page): they run outside transactions, which here all
   * write and begin by taking the write lock. Asked here as well by the
   * health check, and by the writes that read first (a batch, an erasure, a
   * roll-up), so that they are refused before the reading, not after it.
   * (Only SQLite's log is synced by the collector itself.)
   */
  private refuseIfNotDurable(): void {
    if (this.walSync?.broken) throw this.walSync.broken;
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
   * before this resolves, so a 2xx always means durably kept. A handful of
   * statements per batch whatever its size: the instances' reports in their
   * windows counted, the counters read (on PostgreSQL created and locked in
   * the same statement), both decided in memory, the counters written back
   * (on SQLite, one statement for the new ones and one per counter found,
   * which is rare) and the accepted reports inserted. Collectors sharing a
   * PostgreSQL take turns: instances are locked first (advisory locks, in hash
   * order), then counter rows (in key order), so none waits on another
   * crosswise; on SQLite the transaction holds the one write lock from its
   * start. Either all of it commits or none: a failure rejects, and no report
   * of the batch is stored. On SQLite this resolves only once the write-ahead
   * log holding the batch is synced to disk (see batchTransaction); should
   * that sync fail, the batch rejects with DurabilityLost although it has
   * committed: its reports may or may not be on disk.
   */
  async acceptBatch(items: readonly PendingReport[]): Promise<AcceptResult[]> {
    if (items.length === 0) return [];
    this.refuseIfNotDurable();
    const counters = new Map<string, { key: string; window_start: string }>();
    const instances = new Map<string, InstanceLimit>();
    for (const { limits } of items) {
      for (const l of limits) {
        if (l.instanceId !== undefined) instances.set(windowKey(l.key, l.windowStart), { ...l, instanceId: l.instanceId });
        else counters.set(windowKey(l.key, l.windowStart), { key: l.key, window_start: l.windowStart });
      }
    }
    // Window start, then key, by code unit (the keys are ASCII): the order rows are locked in below,
    // the same in every collector whatever the database's collation.
    const keys = [...counters.values()].sort((a, b) =>
      a.window_start < b.window_start ? -1 : a.window_start > b.window_start ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    const learned = new Map<string, { id: number; lastDay: number }>();
    const results = await this.batchTransaction(async (trx) => {
      const hits = await this.storedInWindows(trx, [...instances.values()]);
      // The counter rows that existed before this batch (read on SQLite; PostgreSQL creates them all first).
      const found = new Set<string>();
      if (this.kind === 'postgres') {
        // Created where missing and locked, in the order sorted above, and read, in one statement:
        // an "update" that changes nothing still locks an existing row, and returns it.
        for (const chunk of chunks(keys, 500)) {
          const values = chunk.map((k) => ({ key: k.key, window_start: k.window_start, hits: 0 }));
          const query = this.shapes.compile(`lock counters ${chunk.length}`, values.flatMap(Object.values), () =>
            trx
              .insertInto('rate_windows')
              .values(values)
              .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ hits: sql<number>`rate_windows.hits` }))
              .returning(['key', 'window_start', 'hits']),
          );
          const { rows } = await trx.executeQuery(query);
          for (const row of rows) hits.set(windowKey(row.key, row.window_start), Number(row.hits));
        }
      } else {
        // One window start (the current hour, nearly always) and a list of keys per statement: the
        // primary key answers `window_start = ? and key in (…)` directly. (The transaction holds
        // SQLite's one write lock already.)
        for (const [windowStart, ofWindow] of groupedBy(keys, (k) => k.window_start)) {
          for (const chunk of chunks(ofWindow, 500)) {
            const names = chunk.map((k) => k.key);
            const query = this.shapes.compile(`read counters ${chunk.length}`, [windowStart, ...names], () =>
              trx.selectFrom('rate_windows').select(['key', 'window_start', 'hits']).where('window_start', '=', windowStart).where('key', 'in', names),
            );
            const { rows } = await trx.executeQuery(query);
            for (const row of rows) {
              hits.set(windowKey(row.key, row.window_start), Number(row.hits));
              found.add(windowKey(row.key, row.window_start));
            }
          }
        }
      }
      const results: AcceptResult[] = [];
      const accepted: ReportRecord[] = [];
      const moved = new Set<string>();
      for (const { report, limits } of items) {
        const over = limits.find((l) => (hits.get(windowKey(l.key, l.windowStart)) ?? 0) + 1 > l.limit);
        if (over) {
          // Refused reports move no counter, exactly as when each was a transaction of its own.
          results.push({ accepted: false, hit: { key: over.key, windowEnd: over.windowEnd } });
          continue;
        }
        for (const l of limits) {
          const key = windowKey(l.key, l.windowStart);
          hits.set(key, (hits.get(key) ?? 0) + 1);
          moved.add(key);
        }
        accepted.push(report);
        results.push({ accepted: true });
      }
      const written = keys.filter((k) => moved.has(windowKey(k.key, k.window_start)));
      const counted = (k: { key: string; window_start: string }) => ({ key: k.key, window_start: k.window_start, hits: hits.get(windowKey(k.key, k.window_start)) ?? 0 });
      if (this.kind === 'postgres') {
        for (const chunk of chunks(written, 500)) {
          const values = chunk.map(counted);
          const query = this.shapes.compile(`write counters ${chunk.length}`, values.flatMap(Object.values), () =>
            trx
              .insertInto('rate_windows')
              .values(values)
              .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ hits: eb.ref('excluded.hits') }))),
          );
          await trx.executeQuery(query);
        }
      } else {
        // New counters inserted, found ones updated one by one: SQLite runs an upsert's update as
        // ABORT whatever the insert's own clause, so a multi-row upsert keeps a statement journal
        // (see noStatementJournal), and a one-row update needs none. A batch finds few counters:
        // they count per hour, and an address reports about once a day.
        const created = written.filter((k) => !found.has(windowKey(k.key, k.window_start)));
        for (const chunk of chunks(created, 500)) {
          const values = chunk.map(counted);
          const query = this.shapes.compile(`create counters ${chunk.length}`, values.flatMap(Object.values), () =>
            trx.insertInto('rate_windows').values(values).$call(this.noStatementJournal),
          );
          await trx.executeQuery(query);
        }
        for (const k of written) {
          if (!found.has(windowKey(k.key, k.window_start))) continue;
          const { hits: count } = counted(k);
          const query = this.shapes.compile('update counter', [count, k.window_start, k.key], () =>
            trx.updateTable('rate_windows').set({ hits: count }).where('window_start', '=', k.window_start).where('key', '=', k.key),
          );
          await trx.executeQuery(query);
        }
      }
      const ids = await this.environmentsOf(trx, accepted, learned);
      const rows = accepted.map((r, i) => packReport(r, ids[i]));
      for (const chunk of chunks(rows, 500)) {
        const query = this.shapes.compile(`insert reports ${chunk.length}`, chunk.flatMap(Object.values), () =>
          trx.insertInto('reports').values(chunk).$call(this.noStatementJournal),
        );
        await trx.executeQuery(query);
      }
      return results;
    });
    // Only now: an id from a transaction that rolled back may not exist.
    if (this.environmentIds.size + learned.size > ENVIRONMENT_CACHE) this.environmentIds.clear();
    for (const [key, known] of learned) this.environmentIds.set(key, known);
    await this.walSync?.sync();
    return results;
  }

  /**
   * A batch's transaction. On SQLite in WAL mode it commits with
   * `synchronous = NORMAL`, which writes the log without waiting for the disk,
   * and acceptBatch then waits for WalSync on libuv's thread pool before any
   * report is answered: the same durability as FULL, but the event loop reads
   * and checks the next reports while the disk works (BENCHMARKS.md). Only the
   * batch: every other write keeps FULL and is durable when its commit
   * returns. The connection is held throughout, so that no other statement
   * runs between the pragmas.
   */
  private async batchTransaction<T>(body: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    const walSync = this.walSync;
    if (!walSync) return this.db.transaction().execute(body);
    return this.db.connection().execute(async (connection) => {
      await connection.executeQuery(SYNCHRONOUS_NORMAL);
      try {
        return await connection.transaction().execute(body);
      } finally {
        // Left at NORMAL, the writes that are not batches would no longer be durable when they
        // return: should going back fail, the store refuses every write (and this batch's sync fails).
        await connection.executeQuery(SYNCHRONOUS_FULL).catch((err: unknown) => {
          walSync.fail('setting the database connection back to synchronous=FULL failed', err);
        });
      }
    });
  }

  /**
   * A batch's multi-row write, made `or fail` on SQLite. By default such a
   * statement can undo its own rows should one of them fail, which takes a
   * statement journal holding every page it changes; a batch's reports and
   * address counters land on a page each (random ids and hashes), so the
   * journal outgrew its 64 KiB in memory and went to a temporary file, created
   * and deleted every batch, which took a quarter to two fifths of a batch's
   * writes (BENCHMARKS.md). Any failure rolls the whole transaction back, so
   * the batch stores none either way. (The `environments` upsert keeps its
   * journal: it changes a few pages of a small table, the first batch of a day
   * at most 100 rows.)
   */
  private readonly noStatementJournal = <Q extends { orFail(): Q }>(query: Q): Q => (this.kind === 'sqlite' ? query.orFail() : query);

  /**
   * How many reports each instance has stored in its limit's window, keyed as
   * the batch counts them. On PostgreSQL each instance is locked first, so that
   * another collector's batch cannot count the same instance until this one
   * commits.
   */
  private async storedInWindows(trx: Transaction<Database>, limits: readonly InstanceLimit[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (limits.length === 0) return counts;
    if (this.kind === 'postgres') {
      const keys = [...new Set(limits.map((l) => l.key))];
      // Evaluated after the ORDER BY (a volatile function): taken in hash order by every collector.
      await sql`select pg_advisory_xact_lock(h) from (select distinct hashtextextended(k, 0) as h from unnest(${keys}::text[]) as k) as locks order by h`.execute(trx);
    }
    for (const [windowStart, ofWindow] of groupedBy(limits, (l) => l.windowStart)) {
      const packed = ofWindow.map((l) => ({ instance: encodeInstanceId(l.instanceId), key: windowKey(l.key, windowStart) }));
      const keyOf = new Map(packed.map((p) => [p.instance.toString('hex'), p.key]));
      const day = dayNumber(windowStart.slice(0, 10));
      const from = Date.parse(windowStart);
      const to = Date.parse(ofWindow[0].windowEnd);
      for (const chunk of chunks(packed, 500)) {
        const ids = chunk.map((p) => p.instance);
        const query = this.shapes.compile(`count stored ${chunk.length}`, [day, ...ids, from, to], () =>
          trx
            .selectFrom('reports')
            .select((eb) => ['instance', eb.fn.countAll().as('stored')])
            // A window lies within one day: the (day, instance) index finds each instance's few reports.
            .where('day', '=', day)
            .where('instance', 'in', ids)
            .where('received_at', '>=', from)
            .where('received_at', '<', to)
            .groupBy('instance'),
        );
        const { rows } = await trx.executeQuery(query);
        for (const row of rows) counts.set(keyOf.get(Buffer.from(row.instance).toString('hex'))!, Number(row.stored));
      }
    }
    return counts;
  }

  /**
   * The id of each accepted report's environment, in the order given. One this process already
   * marked as used on the report's day is taken from memory; the others are
   * inserted or marked in one upsert per 100, in key order (after the rate
   * counters, which are locked first everywhere), so that collectors sharing
   * a PostgreSQL never wait on each other crosswise.
   */
  private async environmentsOf(
    trx: Transaction<Database>,
    reports: readonly ReportRecord[],
    learned: Map<string, { id: number; lastDay: number }>,
  ): Promise<number[]> {
    const ids = new Map<string, number>();
    const wanted = new Map<string, { environment: Environment; day: number }>();
    const keys = reports.map((r) => environmentKey(r.environment));
    for (const [i, r] of reports.entries()) {
      const key = keys[i];
      const day = dayNumberOf(r.receivedAt);
      const known = this.environmentIds.get(key);
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

  /** Deletes every raw report of one instance. Aggregates and counters hold no instance ids and stay. */
  async erase(instanceId: string): Promise<number> {
    this.refuseIfNotDurable();
    // Looked up day by day along the one index (day, instance): a few dozen seeks,
    // where an index on the instance alone would cost every report its bytes.
    const bounds = await this.db
      .selectFrom('reports')
      .select((eb) => [eb.fn.min('day').as('first'), eb.fn.max('day').as('last')])
      .executeTakeFirst();
    let deleted = 0;
    if (bounds?.first !== null && bounds?.first !== undefined && bounds.last !== null) {
      const instance = encodeInstanceId(instanceId);
      for (const days of chunks(dayNumbers(Number(bounds.first), Number(bounds.last)), 500)) {
        const result = await this.db.deleteFrom('reports').where('day', 'in', days).where('instance', '=', instance).executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
    }
    return deleted;
  }

  /**
   * Deletes raw reports of days before `reportsBefore`, rate windows that
   * started before `windowsBefore`, and secrets of days before `today`.
   */
  async prune(cut: { reportsBefore: string; windowsBefore: string; today: string }): Promise<{ reports: number; windows: number }> {
    // In bounded batches, each its own short transaction, with a pause for the
    // event loop between them: months of expired reports never hold the
    // database (or ingest) for longer than one batch.
    const before = dayNumber(cut.reportsBefore);
    const reports = await inBatches(() =>
      this.db
        .deleteFrom('reports')
        .where('id', 'in', (eb) => eb.selectFrom('reports').select('id').where('day', '<', before).limit(PRUNE_BATCH))
        .executeTakeFirst(),
    );
    // Every report from these was older, and has just been deleted.
    await this.db.deleteFrom('environments').where('last_day', '<', before).execute();
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
    const row = await this.db.selectFrom('reports').select('id').where('day', '=', dayNumber(day)).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** Days that have raw reports before `beforeDay` but no roll-up yet. */
  async daysToAggregate(beforeDay: string): Promise<string[]> {
    // Day by day, each the next one up the index: a seek per day, not a scan of every report.
    const days: string[] = [];
    const before = dayNumber(beforeDay);
    for (let after = -1; ; ) {
      const next = await this.db
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
      for (const row of await this.db.selectFrom('aggregated_days').select('day').where('day', 'in', chunk).execute()) done.add(row.day);
    }
    return days.filter((d) => !done.has(d));
  }

  /**
   * Rolls one day's raw reports up into `daily_usage` and `daily_sums`,
   * replacing that day's earlier roll-up, so running it again gives the same
   * rows. The database counts instances per environment itself, from the
   * index alone; only instances that reported from several environments that
   * day, and reports with opt-in groups, are read, in pages, one instance at a
   * time. Memory holds a page and the distinct values, however many instances
   * reported. Only the short write at the end is a transaction (a finished day
   * gets no new reports, so reading it outside one is safe, and ingest is never
   * held up by a roll-up).
   */
  async aggregateDay(day: string, now: string): Promise<DaySummary> {
    this.refuseIfNotDurable();
    const summary = await countDay(this.db, dayNumber(day));
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
    try {
      await this.db.destroy();
    } finally {
      await this.walSync?.close();
    }
  }
}
