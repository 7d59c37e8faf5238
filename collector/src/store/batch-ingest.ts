import { CompiledQuery, Kysely, Transaction, sql } from 'kysely';
import type { StoreLocation } from './connect';
import type { WalSync } from './wal-sync';
import type { Database } from './tables';
import { CompiledShapes } from './compiled-shapes';
import { chunks } from './chunks';
import { EnvironmentIds, KnownEnvironment } from './environment-ids';
import { dayNumber, encodeInstanceId, packReport, ReportRecord } from './report-encoding';
import { AcceptResult, InstanceLimit, PendingReport, windowKey } from './rate-limits';

/** How a SQLite batch commits, and how every other write does (see BatchIngest.batchTransaction). */
const SYNCHRONOUS_NORMAL = CompiledQuery.raw('pragma synchronous = normal');
const SYNCHRONOUS_FULL = CompiledQuery.raw('pragma synchronous = full');

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

/**
 * Batch ingest: a batch's reports counted against their rate limits and
 * stored in one transaction, with the environment ids this process knows. A
 * batch's statements are compiled by Kysely once per shape and run from that
 * text after (CompiledShapes), so a Kysely plugin added one day would apply
 * to them at that first compile only.
 */
export class BatchIngest {
  /** A batch's statements, compiled once per shape (see CompiledShapes). */
  private readonly shapes = new CompiledShapes();
  private readonly environments = new EnvironmentIds();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: StoreLocation['kind'],
    /** On SQLite in WAL mode: what makes a batch durable once it has committed (see batchTransaction). */
    private readonly walSync: WalSync | undefined,
    /** The store's durability gate (see Store.refuseIfNotDurable). */
    private readonly refuseIfNotDurable: () => void,
  ) {}

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
    const learned = new Map<string, KnownEnvironment>();
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
      const ids = await this.environments.idsOf(trx, accepted, learned);
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
    this.environments.remember(learned);
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
}
